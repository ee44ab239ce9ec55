import CreditText

/// Every word a customer reads on the decision letter, one value per language: a language
/// cannot be added without all of them, so no sentence of the letter is left untranslated.
/// Values put into a sentence (the contact, the reference) are escaped with the sentence.
struct DecisionLetterWords: Sendable {
    let title: String
    let dateLabel: String
    let referenceLabel: String
    let cnpjLabel: String
    let contactLabel: String
    let salutation: @Sendable (_ name: String) -> String
    let neutralSalutation: String
    let introduction: String
    let decisionHeading: String
    let approved: String
    let approvedSentence: String
    let notApproved: String
    let notApprovedSentence: String
    let underAnalysis: String
    let underAnalysisSentence: @Sendable (_ days: Int) -> String
    let reasonsHeading: String
    let reasonsFallback: String
    let strengthsHeading: String
    let strengthsFallback: String
    let recourseHeading: String
    let recourseIntroduction: String
    let rightsHeading: String
    let automatedNotice: String
    let lgpdRight: String
    let positiveRegisterRight: String
    let howToAsk: @Sendable (_ contact: String, _ reference: String, _ days: Int) -> String
    let closing: String
    /// How a day is written: `dd/mm/aaaa` (empty), or day, month name and year (the month names).
    let monthNames: [String]

    /// The day written the language's way: `07/12/2026`, `7 December 2026`.
    func date(_ day: (year: Int64, month: Int64, day: Int64)) -> String {
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
        guard monthNames.count == 12 else { return "\(two(day.day))/\(two(day.month))/\(day.year)" }
        return "\(day.day) \(monthNames[Int(day.month) - 1]) \(day.year)"
    }

    static func of(_ language: Language) -> DecisionLetterWords {
        switch language {
        case .portuguese: return .portuguese
        case .english: return .english
        }
    }

    static let portuguese = DecisionLetterWords(
        title: "Comunicado de decisão de crédito",
        dateLabel: "Data",
        referenceLabel: "Referência da proposta",
        cnpjLabel: "CNPJ",
        contactLabel: "Atendimento",
        salutation: { "Prezado(a) \($0)," },
        neutralSalutation: "Prezado(a) cliente,",
        introduction:
            "Concluímos a análise da sua proposta de crédito. Este comunicado informa o resultado, os principais motivos e os seus direitos.",
        decisionHeading: "Decisão",
        approved: "Aprovada",
        approvedSentence: "Sua proposta de crédito foi aprovada. Entraremos em contato para os próximos passos da contratação.",
        notApproved: "Não aprovada",
        notApprovedSentence: "Neste momento, sua proposta de crédito não foi aprovada.",
        underAnalysis: "Em análise",
        underAnalysisSentence: { "Sua proposta está em análise pela nossa equipe. Você receberá a resposta em até \($0) dias." },
        reasonsHeading: "Principais motivos da decisão",
        reasonsFallback: "A decisão considerou o conjunto das informações da proposta.",
        strengthsHeading: "Principais fatores favoráveis",
        strengthsFallback: "A decisão considerou o conjunto das informações da proposta, que atendeu aos nossos critérios de crédito.",
        recourseHeading: "O que poderia mudar esta decisão",
        recourseIntroduction: "Uma nova proposta poderia ter outro resultado, por exemplo:",
        rightsHeading: "Seus direitos",
        automatedNotice:
            "A análise da sua proposta foi feita com o apoio de um modelo estatístico de risco de crédito, a partir das informações que você nos forneceu.",
        lgpdRight:
            "Pela Lei Geral de Proteção de Dados Pessoais (Lei nº 13.709/2018, art. 20), você pode pedir a revisão de decisões tomadas "
            + "unicamente com base em tratamento automatizado de dados pessoais que afetem seus interesses, inclusive as que definem o seu "
            + "perfil de crédito, e receber informações claras e adequadas sobre os critérios e os procedimentos utilizados na decisão, "
            + "respeitados os segredos comercial e industrial.",
        positiveRegisterRight:
            "Pela Lei do Cadastro Positivo (Lei nº 12.414/2011, art. 5º), você tem direito de conhecer os principais elementos e critérios "
            + "considerados na análise de risco, resguardado o segredo empresarial, e de pedir a revisão de decisão realizada "
            + "exclusivamente por meios automatizados.",
        howToAsk: { contact, reference, days in
            "Para pedir a revisão ou essas informações, sem custo, procure-nos pelo canal \(contact), informando a referência \(reference). "
                + "Responderemos em até \(days) dias."
        },
        closing: "Atenciosamente,",
        monthNames: [])

    static let english = DecisionLetterWords(
        title: "Credit decision notice",
        dateLabel: "Date",
        referenceLabel: "Application reference",
        cnpjLabel: "CNPJ",
        contactLabel: "Customer service",
        salutation: { "Dear \($0)," },
        neutralSalutation: "Dear customer,",
        introduction: "We have finished assessing your credit application. This notice gives you the result, the main reasons and your rights.",
        decisionHeading: "Decision",
        approved: "Approved",
        approvedSentence: "Your credit application has been approved. We will contact you about the next steps.",
        notApproved: "Not approved",
        notApprovedSentence: "At this time, your credit application has not been approved.",
        underAnalysis: "Under analysis",
        underAnalysisSentence: { "Your application is being analysed by our team. You will receive our answer within \($0) days." },
        reasonsHeading: "Main reasons for the decision",
        reasonsFallback: "The decision took the application's information as a whole into account.",
        strengthsHeading: "Main favourable factors",
        strengthsFallback: "The decision took the application's information as a whole into account, and it met our credit criteria.",
        recourseHeading: "What could change this decision",
        recourseIntroduction: "A new application could have a different result, for example:",
        rightsHeading: "Your rights",
        automatedNotice: "Your application was assessed with the help of a statistical credit-risk model, from the information you gave us.",
        lgpdRight:
            "Under Brazil's General Personal Data Protection Law (Law 13,709/2018, article 20), you may ask for a review of decisions made "
            + "solely by automated processing of personal data that affect your interests, including those that define your credit "
            + "profile, and receive clear and adequate information on the criteria and procedures used for the decision, subject to "
            + "commercial and industrial secrecy.",
        positiveRegisterRight:
            "Under the Positive Credit Register Law (Law 12,414/2011, article 5), you have the right to know the main elements and "
            + "criteria considered in the risk analysis, subject to business secrecy, and to ask for a review of a decision made "
            + "exclusively by automated means.",
        howToAsk: { contact, reference, days in
            "To ask for a review or for this information, free of charge, contact us through \(contact), quoting the reference \(reference). "
                + "We will answer within \(days) days."
        },
        closing: "Yours sincerely,",
        monthNames: [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ])
}
