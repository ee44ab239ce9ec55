"""Batch scoring through nginx: a file of applications uploaded, validated row by row, queued,
scored by the worker and returned as CSV, in the spreadsheet dialect and the language asked for."""
import csv
import io
import json
import os
import random
import subprocess
import time

import pytest

from stack import BIN, PASSWORD, ROOT, applicant


@pytest.fixture
def batcher(stack):
    """A user of its own, so that its single applications leave the other suites' histories alone."""
    if "batcher" not in stack.tokens:
        stack.cli("user", "add", "batcher", "--password-stdin", stdin=PASSWORD + "\n")
    return stack.token("batcher")


def csv_file(rows, delimiter=",", decimal_comma=False):
    out = io.StringIO()
    fields = list(rows[0].keys())
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        cells = []
        for name in fields:
            value = row[name]
            if value is None:
                cells.append("")
            elif isinstance(value, float) and decimal_comma:
                cells.append(f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return out.getvalue().encode()


def upload(stack, token, body, content_type="text/csv", name="march.csv"):
    return stack.json("POST", f"/api/batches?name={name}", body, {"Content-Type": content_type}, token=token)


def wait_batch(stack, token, batch_id, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, _, body = stack.json("GET", f"/api/batches/{batch_id}", token=token)
        assert status == 200, body
        if body["status"] == "done":
            return body
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} not done: {body}")


# The results' columns in English (GET …/results.csv with Accept-Language: en).
COLUMNS = ["Line", "Application ID", "Client ID", "Applicant name", "Status", "Final decision", "Decision origin", "Model decision code",
           "Probability of default", "Score", "Reason 1 code", "Reason 1", "Reason 2 code", "Reason 2", "Reason 3 code", "Reason 3", "Error"]
MODEL_DECISIONS = {"approve": "Approve", "review": "Refer for review", "reject": "Reject"}


def download(stack, token, path, language="en"):
    """A CSV file the API gives a spreadsheet: checked for its byte-order mark and CRLF line ends."""
    status, headers, raw = stack.request("GET", path, headers={"Accept-Language": language}, token=token)
    assert status == 200, raw
    assert headers["Content-Type"].startswith("text/csv") and headers["Content-Language"] == language
    assert "attachment" in headers["Content-Disposition"]
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark for spreadsheets"
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == raw.count(b"\n"), "CRLF line ends"
    return raw


def results(stack, token, batch_id, language="en", delimiter=",", query=""):
    raw = download(stack, token, f"/api/batches/{batch_id}/results.csv{query}", language)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def test_a_csv_batch_is_scored_and_returned_in_file_order(stack, batcher):
    token = batcher
    rows = [applicant(id_client=70000 + index, age=20 + index % 50, personal_monthly_income=800.0 + 37.5 * index) for index in range(300)]
    status, headers, body = upload(stack, token, csv_file(rows))
    assert status == 202, body
    assert body["rows"] == 300 and body["name"] == "march.csv"
    assert headers["Location"].endswith(f"/api/batches/{body['id']}")
    done = wait_batch(stack, token, body["id"])
    assert done["done"] == 300 and done["failed"] == 0
    table = results(stack, token, body["id"])
    assert [row["Line"] for row in table] == [str(line) for line in range(2, 302)], "one row per application, in file order"
    assert list(table[0].keys()) == COLUMNS
    assert table[0]["Client ID"] == "70000" and table[299]["Client ID"] == "70299", "the file's id_client comes back with each result"
    for row in table:
        assert row["Status"] == "Scored" and row["Model decision code"] in MODEL_DECISIONS and row["Decision origin"] == "Model"
        assert row["Final decision"] == MODEL_DECISIONS[row["Model decision code"]], "no reviewer decided: the model's decision in words"
        assert 0 < float(row["Probability of default"]) < 1 and row["Reason 1 code"] and row["Reason 1"]
        assert row["Applicant name"] == "Maria Souza"
    # Each row is scored as the same application sent alone would be.
    single = stack.json("POST", "/api/predictions", rows[7], token=token)[2]
    alone = stack.wait_done(token, single["id"])["result"]
    assert float(table[7]["Probability of default"]) == round(alone["probability_of_default"], 6)
    assert table[7]["Reason 1 code"] == alone["reasons"][0]["code"] and table[7]["Reason 1"] == alone["reasons"][0]["texts"]["en"]
    # The history shows a batch's rows too, unless asked for single applications (batch=exclude).
    ids = {row["Application ID"] for row in table}
    history = stack.json("GET", "/api/predictions?limit=100", token=token)[2]
    assert history["items"][0]["id"] == single["id"], "newest first: the single application came after the file"
    assert {item["id"] for item in history["items"][1:]} <= ids and history["next"]
    singles = stack.json("GET", "/api/predictions?limit=100&batch=exclude", token=token)[2]
    assert single["id"] in {item["id"] for item in singles["items"]}
    assert not any(item["id"] in ids for item in singles["items"])
    listing = stack.json("GET", "/api/batches", token=token)[2]
    assert listing["items"][0]["id"] == body["id"]


def test_brazilian_spreadsheet_csv_and_json_lines(stack, batcher):
    token = batcher
    rows = [applicant(id_client=500 + index, personal_monthly_income=1234.5 + index) for index in range(20)]
    semicolons = b"\xef\xbb\xbf" + csv_file(rows, delimiter=";", decimal_comma=True)
    assert b"1.234,50" in semicolons
    status, _, body = upload(stack, token, semicolons, name="planilha.csv")
    assert status == 202, body
    wait_batch(stack, token, body["id"])
    table = results(stack, token, body["id"], delimiter=";")
    job = stack.json("GET", f"/api/predictions/{table[0]['Application ID']}", token=token)[2]
    assert job["application"]["personal_monthly_income"] == 1234.5, "1.234,50 is one thousand two hundred and thirty-four reais"
    lines = b"\n".join(json.dumps(row).encode() for row in rows) + b"\n"
    status, _, body = upload(stack, token, lines, content_type="application/x-ndjson", name="rows.jsonl")
    assert status == 202, body
    wait_batch(stack, token, body["id"])
    assert [row["Client ID"] for row in results(stack, token, body["id"])] == [str(500 + index) for index in range(20)]


def test_a_file_with_bad_rows_is_refused_whole_with_every_bad_line(stack, batcher):
    token = batcher
    before = stack.json("GET", "/api/batches", token=token)[2]["items"]
    rows = [applicant(id_client=index) for index in range(50)]
    rows[3]["age"] = 300
    rows[17]["sex"] = "Q"
    rows[40]["personal_monthly_income"] = "lots"
    status, headers, body = upload(stack, token, csv_file(rows))
    assert status == 422, body
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["type"].endswith("/invalid-batch") and body["invalid_rows"] == 3 and body["total_rows"] == 50
    assert [(row["line"], sorted(row["errors"])) for row in body["rows"]] == [(5, ["age"]), (19, ["sex"]), (42, ["personal_monthly_income"])]
    assert stack.json("GET", "/api/batches", token=token)[2]["items"] == before, "nothing was queued"
    # Whole-file problems.
    assert upload(stack, token, b"age,colour\n30,blue\n")[0] == 422
    assert "colour" in upload(stack, token, b"age,colour\n30,blue\n")[2]["detail"]
    assert upload(stack, token, b"")[0] == 422
    assert upload(stack, token, csv_file(rows[:1]).split(b"\r\n")[0] + b"\r\n")[0] == 422, "a header without rows"
    assert upload(stack, token, csv_file(rows), content_type="text/plain")[0] == 415
    status, _, body = upload(stack, token, b'{"age": 30}\n[1]\nnot json\n', content_type="application/x-ndjson")
    assert status == 422 and [row["line"] for row in body["rows"]] == [1, 2, 3]
    assert stack.json("POST", "/api/batches", b"x", {"Content-Type": "text/csv"})[0] == 401


def test_another_users_batch_is_not_found(stack, batcher):
    carol, bob = batcher, stack.token("bob")
    status, _, body = upload(stack, carol, csv_file([applicant()]))
    assert status == 202
    for path in (f"/api/batches/{body['id']}", f"/api/batches/{body['id']}/results.csv"):
        status, _, problem = stack.json("GET", path, token=bob)
        assert status == 404 and problem["type"].endswith("/not-found")
    status, _, problem = stack.json("GET", "/api/batches/not-an-id/results.csv", token=bob)
    assert status == 404 and problem["type"].endswith("/not-found")


def test_credit_score_reads_the_same_file_and_gives_the_same_table(stack, batcher, tmp_path):
    rows = [applicant(id_client=900 + index, age=25 + index, personal_monthly_income=1000.0 + 250 * index) for index in range(25)]
    rows[4]["age"] = 300  # refused by the API; listed as invalid by the command
    path = tmp_path / "file.csv"
    path.write_bytes(csv_file(rows))
    out = subprocess.run([os.path.join(BIN, "credit"), "score", "--model", os.path.join(ROOT, "models", "default.json"), "--data", str(path),
                          "--format", "csv", "--language", "en", "--dialect", "comma"], capture_output=True, check=True)
    offline = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"), newline="")))
    assert b"1 rows" in out.stderr and offline[4]["Status"] == "Invalid" and "age" in offline[4]["Error"]
    del rows[4]
    path.write_bytes(csv_file(rows))
    status, _, body = upload(stack, batcher, path.read_bytes())
    assert status == 202, body
    wait_batch(stack, batcher, body["id"])
    online = results(stack, batcher, body["id"])
    offline = [row for row in offline if row["Status"] == "Scored"]
    assert len(online) == len(offline) == 24
    columns = ["Client ID", "Applicant name", "Probability of default", "Score", "Final decision", "Model decision code", "Reason 1 code",
               "Reason 1", "Reason 3 code"]
    for api_row, cli_row in zip(online, offline):
        assert [api_row[name] for name in columns] == [cli_row[name] for name in columns]


def test_an_anonymous_upload_is_refused_without_being_read(stack):
    """Only a caller with a valid token gets a large body read: eight anonymous 8 MB uploads at
    once get their 401 and leave the responder's peak memory where it was."""
    from concurrent.futures import ThreadPoolExecutor

    def peak():
        return int(next(line for line in open(f"/proc/{stack.responder.pid}/status") if line.startswith("VmHWM")).split()[1]) // 1024

    before = peak()
    body = b"age\n" + b"30\n" * (4 << 20)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: stack.json("POST", "/api/batches", body, {"Content-Type": "text/csv"},
                                                     token="forged.token.value")[:1] + stack.json("POST", "/api/batches", body, {"Content-Type": "text/csv"})[:1],
                                range(8)))
    assert all(statuses == (401, 401) for statuses in answers), answers
    assert peak() - before < 16, f"the responder's peak memory grew from {before} MB to {peak()} MB"


NAMES = ["Maria da Conceição", "Luíza Gonçalves", "José Antônio", "Ana Lúcia", "João Estêvão"]


def excel_brazil_file(rows, seed):
    """`rows` as Excel in Brazil saves "CSV (separado por vírgulas)": Windows-1252, semicolons,
    decimal commas with dots between thousands, CRLF; the cities chosen with a seeded generator."""
    chooser = random.Random(seed)
    for row in rows:
        row["residencial_city"] = chooser.choice(["São Paulo", "Florianópolis", "Maceió"])
    return csv_file(rows, delimiter=";", decimal_comma=True).decode().encode("cp1252")


def test_a_windows_1252_spreadsheet_round_trips_as_excel_in_brazil_opens_it(stack, batcher):
    token = batcher
    chooser = random.Random(20261207)
    rows = [applicant(id_client=80000 + index, applicant_name=NAMES[index % len(NAMES)], personal_monthly_income=round(chooser.uniform(900, 9000), 2))
            for index in range(200)]
    rows[0]["residencial_borough"] = "Conceição"
    body = excel_brazil_file(rows, seed=7)
    assert "São Paulo".encode("cp1252") in body and b"\r\n" in body and b";" in body
    assert "Conceição".encode("cp1252") in body and "Luíza Gonçalves".encode("cp1252") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the file is not UTF-8: the service must tell
    status, _, created = upload(stack, token, body, name="marco.csv")
    assert status == 202, created
    assert created["rows"] == 200
    wait_batch(stack, token, created["id"])

    # As Excel in Brazil reads the download: UTF-8 with its byte-order mark, cells split on semicolons.
    raw = download(stack, token, f"/api/batches/{created['id']}/results.csv", language="pt-BR")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, lines = table[0], table[1:]
    assert header[:10] == ["Linha", "ID da proposta", "Código do cliente", "Nome do proponente", "Situação", "Decisão final", "Origem da decisão",
                           "Código da decisão do modelo", "Probabilidade de inadimplência", "Pontuação"]
    assert header[10:12] == ["Código do motivo 1", "Motivo 1"] and header[-1] == "Erro"
    assert len(lines) == 200 and all(len(line) == len(header) for line in lines), "one column per field"
    column = {name: index for index, name in enumerate(header)}
    assert [line[column["Nome do proponente"]] for line in lines] == [NAMES[index % len(NAMES)] for index in range(200)]
    assert [line[column["Código do cliente"]] for line in lines] == [str(80000 + index) for index in range(200)]
    for line in lines:
        pd = line[column["Probabilidade de inadimplência"]]
        assert pd.startswith("0,") and "." not in pd and len(pd) == 8, f"a decimal comma, no thousands separator: {pd}"
        assert line[column["Decisão final"]] in ("Aprovar", "Encaminhar para análise", "Recusar")
        assert line[column["Situação"]] == "Avaliada" and line[column["Origem da decisão"]] == "Modelo"
        assert line[column["Motivo 1"]] and line[column["Código do motivo 1"]]
    # The incomes were read as the decimal commas meant them.
    job = stack.json("GET", f"/api/predictions/{lines[0][column['ID da proposta']]}", token=token)[2]
    assert job["application"]["personal_monthly_income"] == rows[0]["personal_monthly_income"]
    assert job["application"]["residencial_borough"].casefold() == "conceição".casefold()
    # The same results in the other dialect when asked for.
    english = results(stack, token, created["id"], language="en", delimiter=",", query="?dialect=comma")
    assert [row["Applicant name"] for row in english] == [NAMES[index % len(NAMES)] for index in range(200)]
    assert all(row["Probability of default"].startswith("0.") for row in english)
    assert stack.json("GET", f"/api/batches/{created['id']}/results.csv?dialect=tab", token=token)[0] == 400


def test_a_binary_file_is_refused_whole_with_its_line_and_byte(stack, batcher):
    token = batcher
    before = stack.json("GET", "/api/batches", token=token)[2]["items"]
    rows = csv_file([applicant(id_client=index) for index in range(3)], delimiter=";").decode().encode("cp1252")
    # A workbook pasted after two good lines: "PK\x03\x04" starts every .xlsx (a ZIP archive).
    body = rows.split(b"\r\n", 2)[0] + b"\r\n" + rows.split(b"\r\n", 2)[1] + b"\r\nPK\x03\x04\x14\x00\x06\x00" + rows.split(b"\r\n", 2)[2]
    status, headers, problem = stack.json("POST", "/api/batches", body, {"Content-Type": "text/csv", "Accept-Language": "en"}, token=token)
    assert status == 422, problem
    assert headers["Content-Type"].startswith("application/problem+json")
    bad = body.index(b"\x03")
    assert problem["type"].endswith("/invalid-batch")
    assert problem["line"] == 3 and problem["byte"] == bad + 1 and problem["byte_in_line"] == 3, problem
    assert f"line 3 has the byte 0x03 (byte 3 of the line, byte {bad + 1} of the file)" in problem["detail"], problem["detail"]
    assert stack.json("GET", "/api/batches", token=token)[2]["items"] == before, "no batch was created"
    # A real workbook's first bytes, in Portuguese.
    status, _, problem = stack.json("POST", "/api/batches", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
                                    {"Content-Type": "text/csv", "Accept-Language": "pt-BR"}, token=token)
    assert status == 422 and (problem["line"], problem["byte"]) == (1, 3)
    assert problem["title"] == "O arquivo não é um texto" and "a linha 1 tem o byte 0x03" in problem["detail"]
    assert stack.json("GET", "/api/batches", token=token)[2]["items"] == before


def test_the_template_is_in_the_language_dialect_and_reads_back(stack, batcher):
    token = batcher
    assert stack.request("GET", "/api/batches/template.csv")[0] == 401
    portuguese = download(stack, token, "/api/batches/template.csv", language="pt-BR")
    header, example = list(csv.reader(io.StringIO(portuguese.decode("utf-8-sig"), newline=""), delimiter=";"))
    schema = stack.json("GET", "/api/schema")[2]
    assert header == [field["name"] for field in schema["fields"]], "the schema's field names, in its order"
    assert example[header.index("applicant_name")] == "Maria da Conceição"
    assert example[header.index("personal_monthly_income")] == "1800,50"
    english = download(stack, token, "/api/batches/template.csv", language="en")
    assert english.decode("utf-8-sig").startswith("id_client,applicant_name,") and b",1800.50," in english
    for body in (portuguese, english):
        status, _, created = upload(stack, token, body, name="modelo.csv")
        assert status == 202 and created["rows"] == 1, created
