import CreditModel

/// Applicants' names for the store benchmarks, drawn from a seed: Brazilian first names and
/// surnames weighted as the most common ones are (Maria and Silva lead), a second first name in a
/// third of them, particles (`da`, `dos`, …) before a quarter of the surnames, a long tail of
/// rarer surnames made of syllables, and accents left out in a fifth, as people often type them.
/// No `Conceição` is drawn: the benchmark stores one `Maria da Conceição` of its own.
struct BrazilianNames {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The surnames of the tail, each about as rare as the others (some in it sound alike).
    static let tail: [String] = {
        var random = SplitMix64(seed: 0x7A11)
        let starts = [
            "Ba", "Be", "Bra", "Ca", "Co", "Cre", "Da", "Fa", "Fe", "Ga", "Go", "La", "Lo", "Ma", "Mo", "Na", "Pa", "Pe", "Que", "Ra", "Ri",
            "Sa", "Se", "Ta", "Te", "Va", "Vi", "Za",
        ]
        let middles = ["bu", "ca", "da", "le", "li", "ma", "ne", "ni", "ra", "re", "ri", "ta", "to", "va", "xe", "gue", "lha", "nho", "ça", "mé"]
        let ends = ["do", "des", "ira", "lho", "nha", "no", "nes", "ra", "res", "ro", "sa", "so", "to", "tti", "zes", "ão", "ães", "ília", "ém"]
        var names: Set<String> = []
        while names.count < 3000 {
            let middle = random.next() % 3 == 0 ? middles[Int(random.next() % UInt64(middles.count))] : ""
            names.insert(
                starts[Int(random.next() % UInt64(starts.count))] + middle + middles[Int(random.next() % UInt64(middles.count))]
                    + ends[Int(random.next() % UInt64(ends.count))])
        }
        return names.sorted()
    }()

    private static let femaleFirst = [
        "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline", "Sandra", "Camila",
        "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana", "Vanessa", "Mariana", "Gabriela", "Vera", "Vitória", "Larissa",
        "Cláudia", "Beatriz", "Luíza", "Rita", "Sônia", "Renata", "Eliane", "Josefa", "Simone", "Natália", "Cristina", "Carla", "Débora",
        "Rosângela", "Jaqueline", "Rosa", "Daniela", "Aparecida", "Marlene", "Terezinha", "Raimunda", "Andréia", "Fabiana", "Lúcia", "Raquel",
        "Isabela", "Lívia", "Heloísa", "Yasmin", "Valéria", "Tânia", "Regina", "Célia", "Sueli", "Ingrid", "Priscila",
    ]
    private static let maleFirst = [
        "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Luís", "Gabriel", "Rafael", "Daniel",
        "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Manoel", "Mateus", "André", "Fernando", "Fábio", "Leonardo",
        "Gustavo", "Guilherme", "Leandro", "Tiago", "Anderson", "Ricardo", "Márcio", "Jorge", "Sebastião", "Alexandre", "Roberto", "Edson",
        "Diego", "Vítor", "Sérgio", "Cláudio", "Matheus", "Thiago", "Geraldo", "Adriano", "Luciano", "Júlio", "Renato", "Alex", "Vinícius",
        "Rogério", "Samuel", "Ronaldo", "Mário", "Flávio", "Igor", "Douglas", "Davi", "Joaquim", "Otávio", "Caio", "Heitor", "Benedito",
    ]
    private static let surnames = [
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins",
        "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira",
        "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Pinto",
        "Correia", "Azevedo", "Cavalcanti", "Monteiro", "Moura", "Batista", "Campos", "Melo", "Barros", "Castro", "Fonseca", "Brandão",
        "Sampaio", "Magalhães", "Guimarães", "Assunção", "Figueiredo", "Peixoto", "Simões", "Leão", "Falcão", "Bragança", "Cunha", "Pacheco",
        "Farias", "Sá", "Lacerda", "Tavares", "Xavier", "Queiroz", "Siqueira", "Junqueira", "Damasceno", "Nóbrega", "Conrado", "Paixão",
        "Estêvão", "Mourão", "Galvão", "Aragão", "Vasconcelos", "Bezerra", "Rezende",
    ]
    private static let particles = ["da", "de", "do", "dos", "das"]

    /// Index `0..<count` weighted as 1/(rank + 1): the first of a list is the most frequent.
    private mutating func zipf(_ count: Int) -> Int {
        let harmonic = (1...count).reduce(0.0) { $0 + 1 / Double($1) }
        var target = Double(random.next() >> 11) / Double(1 << 53) * harmonic
        for rank in 0..<count {
            target -= 1 / Double(rank + 1)
            if target <= 0 { return rank }
        }
        return count - 1
    }

    private mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    private mutating func surname() -> String {
        // Eight in ten from the common surnames, the rest from the tail.
        let name = chance(80) ? Self.surnames[zipf(Self.surnames.count)] : Self.tail[Int(random.next() % UInt64(Self.tail.count))]
        return chance(25) ? Self.particles[Int(random.next() % UInt64(Self.particles.count))] + " " + name : name
    }

    /// Maria is about one Brazilian woman's name in nine, first or second (Ana Maria).
    private mutating func firstName(female: Bool) -> String {
        if female && chance(11) { return "Maria" }
        let names = female ? Self.femaleFirst : Self.maleFirst
        return names[zipf(names.count)]
    }

    mutating func next() -> String {
        let female = chance(50)
        var words = [firstName(female: female)]
        if chance(30) { words.append(firstName(female: female)) }
        words.append(surname())
        if chance(60) { words.append(surname()) }
        let name = words.joined(separator: " ")
        return chance(20) ? Self.withoutAccents(name) : name
    }

    /// As typed on a keyboard without accents.
    static func withoutAccents(_ name: String) -> String {
        let plain: [Character: Character] = [
            "á": "a", "â": "a", "ã": "a", "à": "a", "é": "e", "ê": "e", "í": "i", "ó": "o", "ô": "o", "õ": "o", "ú": "u", "ç": "c",
        ]
        return String(name.map { plain[$0] ?? $0 })
    }
}
