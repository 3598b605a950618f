import Foundation
import HTTPTypes
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// Imports of customers and records: identity resolution (an existing customer is updated, not
/// duplicated), a per-row error report while good rows import, a dry run that writes nothing,
/// and progress that lets an interrupted import go on without importing a row twice.
@Suite("HTTP: imports")
struct ImportsTests {
    /// Creates a job, uploads its file and waits until a runner has finished it.
    func runImport(_ api: API, _ spec: JSONValue, file: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let made = try await api.post("/v1/imports", spec)
        #expect(made.status == .created, "\(made.text)", sourceLocation: sourceLocation)
        #expect(made.json["status"] == "awaiting_file", sourceLocation: sourceLocation)
        let id = try #require(made.json["id"]?.stringValue, sourceLocation: sourceLocation)
        let uploaded = try await api.request(.put, "/v1/imports/\(id)/file", body: file, contentType: "text/csv")
        #expect(uploaded.status == .accepted, "\(uploaded.text)", sourceLocation: sourceLocation)
        return try await eventually("import \(id) finishes") { () -> JSONValue? in
            let job = try await api.get("/v1/imports/\(id)").json
            guard ["completed", "failed", "cancelled"].contains(job["status"]?.stringValue ?? "") else { return nil }
            return job
        }
    }

    func issues(_ api: API, _ job: JSONValue) async throws -> [[String]] {
        let id = try #require(job["id"]?.stringValue)
        return try await api.get("/v1/imports/\(id)/issues").items.map {
            [String($0["row"]?.intValue ?? -1), $0["column"]?.stringValue ?? "", $0["reason"]?.stringValue ?? ""]
        }
    }

    @Test("a customer file updates the customers it finds by identity, creates the others and reports each bad row", arguments: Backend.available)
    func customers(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try #require(try await api.createCustomer(["name": "Ana Lima", "emails": ["ana@example.com"]])["id"]?.stringValue)
            let file = """
                Full name,E-mail,Phone,Tier,City,Notes
                Ana Lima,ANA@example.com,+1 415 555 0101,gold,Lisbon,called twice
                Bo Chen,bo@example.com; bo.chen@work.example,,silver,,
                "Cy, the third",cy@example.com,not a phone,,Paris,
                ,nobody@example.com,,,,
                Di Park,di@example.com,,bronze,,"a ""quoted"" note"

                """
            let spec: JSONValue = ["target": "customers", "format": "csv", "file_name": "contacts.csv",
                                   "mapping": ["Full name": "name", "E-mail": "emails", "Phone": "phones", "Tier": "attributes.tier",
                                               "City": "address.city", "Notes": nil]]
            let job = try await runImport(api, spec, file: file)
            #expect(job["status"] == "completed", "\(job)")
            #expect(job["rows_read"] == 5)
            #expect(job["rows_created"] == 2)
            #expect(job["rows_updated"] == 1)
            #expect(job["rows_failed"] == 2)
            #expect(job["columns"] == ["Full name", "E-mail", "Phone", "Tier", "City", "Notes"])
            #expect(job["percent"] == 100)
            let report = try await issues(api, job)
            #expect(report.count == 2, "\(report)")
            #expect(report.first?.prefix(2) == ["3", "Phone"], "\(report)")
            #expect(report.last?.prefix(2) == ["4", "Full name"], "\(report)")

            // Ana was found by her email (in another case) and gained what the row says.
            let customers = try await api.get("/v1/customers?limit=50").items
            #expect(customers.count == 3, "\(customers)")
            let updated = try await api.get("/v1/customers/\(ana)").json
            #expect(updated["phones"] == ["+14155550101"])
            #expect(updated["attributes"]?["tier"] == "gold")
            #expect(updated["addresses"]?[0]?["city"] == "Lisbon")
            let bo = try #require(try await api.get("/v1/customers?email=bo.chen@work.example").items.first)
            #expect(bo["emails"] == ["bo@example.com", "bo.chen@work.example"])
            let di = try #require(try await api.get("/v1/customers?email=di@example.com").items.first)
            #expect(di["attributes"] == ["tier": "bronze"], "a column mapped to null is left out")

            // Every change is an event on the log like any other.
            let created = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.customer.created""#))").items
            #expect(created.count == 3)
            let changed = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.customer.updated""#))").items
            #expect(changed.compactMap { $0["subject"]?.stringValue } == [ana])

            // The same file again changes nothing and duplicates no one.
            let again = try await runImport(api, spec, file: file)
            #expect(again["rows_created"] == 0)
            #expect(again["rows_updated"] == 0)
            #expect(again["rows_unchanged"] == 3)
            #expect(try await api.get("/v1/customers?limit=50").items.count == 3)
        }
    }

    @Test("a dry run checks every row and counts what would change, writing nothing", arguments: Backend.available)
    func dryRun(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            _ = try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"]])
            let head = try await api.get("/v1/events?after=0&limit=200").items.count
            let file = "name,emails,lifecycle_stage\nAna,ana@example.com,customer\nBo,bo@example.com,lead\nCy,cy@example.com,wizard\n"
            let job = try await runImport(api, ["target": "customers", "dry_run": true], file: file)
            #expect(job["status"] == "completed")
            #expect(job["dry_run"] == true)
            #expect(job["rows_created"] == 1)
            #expect(job["rows_updated"] == 1)
            #expect(job["rows_failed"] == 1)
            #expect(try await issues(api, job).map { $0[1] } == ["lifecycle_stage"])
            #expect(try await api.get("/v1/customers?limit=50").items.count == 1)
            #expect(try await api.get("/v1/customers?email=ana@example.com").items.first?["lifecycle_stage"] == .null)
            #expect(try await api.get("/v1/events?after=0&limit=200").items.count == head)
        }
    }

    @Test("records import with customers found by email, money and stages; a row naming a record's id changes it", arguments: Backend.available)
    func records(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/sales/install", [:]).status == .ok)
            let ana = try #require(try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"]])["id"]?.stringValue)
            let type = try await api.get("/v1/record-types/deal").json
            let stages = type["stages"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
            let first = try #require(stages.first)
            let file = """
                Deal,customer_email,Value,Currency,stage
                Solar roof,ana@example.com,12500.50,eur,\(first)
                Heat pump,nobody@example.com,900,EUR,\(first)
                Battery,ana@example.com,lots,EUR,\(first)

                """
            let spec: JSONValue = ["target": "records", "record_type": "deal",
                                   "mapping": ["Deal": "title", "Value": "amount.amount", "Currency": "amount.currency"]]
            let job = try await runImport(api, spec, file: file)
            #expect(job["status"] == "completed", "\(job)")
            #expect(job["rows_created"] == 1, "\(job)")
            #expect(job["rows_failed"] == 2)
            let report = try await issues(api, job)
            #expect(report.map { Array($0.prefix(2)) } == [["2", "customer_email"], ["3", "Value"]], "\(report)")
            let deals = try await api.get("/v1/records/deal").items
            #expect(deals.count == 1)
            let deal = try #require(deals.first)
            #expect(deal["customer_id"]?.stringValue == ana)
            #expect(deal["fields"]?["amount"] == ["amount": "12500.50", "currency": "EUR"])

            // The export read back in, with a change, changes that record.
            let id = try #require(deal["id"]?.stringValue)
            let change = try await runImport(api, spec, file: "id,Deal\n\(id),Solar roof and battery\n")
            #expect(change["rows_updated"] == 1, "\(change)")
            #expect(try await api.get("/v1/records/deal/\(id)").json["fields"]?["title"] == "Solar roof and battery")
            #expect(try await api.get("/v1/records/deal").items.count == 1)
        }
    }

    @Test("bad jobs are refused naming the field; an upload is taken once; a viewer may not import", arguments: Backend.available)
    func refusals(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            expectProblem(try await api.post("/v1/imports", ["target": "contacts"]), .unprocessableContent, field: "target")
            expectProblem(try await api.post("/v1/imports", ["target": "records"]), .unprocessableContent, field: "record_type")
            expectProblem(try await api.post("/v1/imports", ["target": "records", "record_type": "spaceship"]), .unprocessableContent,
                          field: "record_type")
            expectProblem(try await api.post("/v1/imports", ["target": "customers", "format": "xlsx"]), .unprocessableContent, field: "format")
            expectProblem(try await api.post("/v1/imports", ["target": "customers", "mapping": ["E-mail": "email_address"]]),
                          .unprocessableContent, field: "mapping.E-mail")
            let viewer = try await api.createKey(role: "viewer")
            expectProblem(try await api.post("/v1/imports", ["target": "customers"], auth: .bearer(viewer.secret)), .forbidden)
            expectProblem(try await api.get("/v1/imports", auth: .bearer(viewer.secret)), .forbidden)

            let job = try await runImport(api, ["target": "customers"], file: "name\nAna\n")
            let id = try #require(job["id"]?.stringValue)
            expectProblem(try await api.request(.put, "/v1/imports/\(id)/file", body: "name\nBo\n", contentType: "text/csv"), .conflict)
            expectProblem(try await api.post("/v1/imports/\(id)/cancel", [:]), .conflict)
            expectProblem(try await api.get("/v1/imports/imp_nothing"), .notFound)
            #expect(try await api.get("/v1/imports").items.compactMap { $0["id"]?.stringValue } == [id])
            #expect(try await api.get("/v1/customers").items.count == 1)

            // A file that is not CSV at all fails the job, and says why.
            let broken = try await runImport(api, ["target": "customers"], file: "\"name\nAna\n")
            #expect(broken["status"] == "failed")
            #expect(broken["failure"]?.stringValue?.contains("header") == true, "\(broken)")
        }
    }
}

/// Serves a file and then fails, as a machine that stops in the middle of an import.
struct FailingImportFile: ImportFile {
    struct Stopped: Error {}
    let file: LocalImportFile
    let failFrom: Int64

    func bytes(from offset: Int64, maxBytes: Int) async throws -> [UInt8] {
        guard offset < failFrom else { throw Stopped() }
        return try await file.bytes(from: offset, maxBytes: maxBytes)
    }
}

@Suite("Imports: interrupted and resumed")
struct ImportResumeTests {
    @Test("an import stopped in the middle goes on from the first row not committed; no row is imported twice", arguments: Backend.available)
    func resumes(backend: Backend) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-import-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = "name,emails,phones\n"
        for index in 0..<40 { text += "Person \(index),p\(index)@example.com,\"+1 415 555 \(String(format: "%04d", index))\"\n" }
        text += "Person 0 again,p0@example.com,\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try await TestDatabases.withStore(backend) { store in
            let normalizer = try IdentityNormalizer(defaultRegion: "US")
            let file = LocalImportFile(path: path)
            let spec = ImportSpec(target: .customers, format: .csv, fileName: "people.csv")
            let job = try await store.write { tx in
                try await store.imports.createJob(spec, source: .local, fileBytes: try file.size, fingerprint: try await file.fingerprint(),
                                                  actor: .system, in: tx)
            }
            // Batches of 3 rows, the file read 100 bytes at a time: the reads stop at byte 600.
            let runner = ImportRunner(store: store, normalizer: normalizer, logger: TestDatabases.logger, batchRows: 3, readSize: 100)
            await #expect(throws: FailingImportFile.Stopped.self) {
                try await runner.runLocal(job.id, file: FailingImportFile(file: file, failFrom: 600))
            }
            let stopped = try #require(try await store.imports.job(job.id))
            #expect(stopped.status == .running)
            #expect(stopped.progress.rowsRead > 0 && stopped.progress.rowsRead < 40, "\(stopped.progress)")
            #expect(stopped.progress.created == stopped.progress.rowsRead)
            let committed = try await store.customers.customers(matching: CustomerFilter(), limit: 100, cursor: nil).items.count
            #expect(Int64(committed) == stopped.progress.created)

            // The same file found again goes on where it stopped.
            let found = try await store.imports.unfinishedLocalJob(fingerprint: try await file.fingerprint(), target: .customers)
            #expect(found?.id == job.id)
            let again = ImportRunner(store: store, normalizer: normalizer, logger: TestDatabases.logger, batchRows: 3, readSize: 100)
            let done = try await again.runLocal(job.id, file: file)
            #expect(done.status == .completed)
            #expect(done.progress.rowsRead == 41)
            #expect(done.progress.created == 40)
            #expect(done.progress.updated == 1)
            let everyone = try await store.customers.customers(matching: CustomerFilter(), limit: 100, cursor: nil).items
            #expect(everyone.count == 40)
            #expect(Set(everyone.map(\.name)).count == 40)
            #expect(everyone.first { $0.emails.contains("p0@example.com") }?.name == "Person 0 again")
        }
    }
}

@Suite("Imports: batches in flight")
struct ImportFlightTests {
    @Test("a batch is stored only after the one that ends where it starts: one sent early is refused, writing nothing", arguments: Backend.available)
    func batchesInTurn(backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let imports = store.imports
            let spec = ImportSpec(target: .customers, format: .csv, fileName: "people.csv")
            let job = try await store.write { tx in
                try await imports.createJob(spec, source: .local, fileBytes: 300, fingerprint: nil, actor: .system, in: tx)
            }
            _ = try await store.write { tx in try await imports.claimLocal(job.id, owner: "runner", until: tx.now().adding(.seconds(60)), in: tx) }
            var firstOutcome = ImportBatchOutcome()
            firstOutcome.created = 2
            firstOutcome.updated = 1
            let first = ImportProgressStep(from: 0, bytesRead: 100, rows: 3, outcome: firstOutcome)
            var secondOutcome = ImportBatchOutcome()
            secondOutcome.created = 1
            secondOutcome.issues = [ImportRowIssue(row: 5, column: "emails", reason: "emails: not an email address")]
            let second = ImportProgressStep(from: 100, bytesRead: 200, rows: 2, outcome: secondOutcome)
            let send = { (step: ImportProgressStep, owner: String) -> PendingWrite<Void> in
                store.send(prefetch: .nothing) { tx in
                    try await imports.beginBatch(job.id, owner: owner, from: step.from, in: tx)
                    try await imports.recordProgress(job.id, step: step, columns: ["name", "emails"],
                                                     leaseUntil: tx.now().adding(.seconds(60)), in: tx)
                }
            }
            // The second batch reaches the writer before the first: refused, and the first then stored.
            let early = send(second, "runner")
            let inTurn = send(first, "runner")
            await #expect(throws: ImportBatchOutOfTurn.self) { try await early.value() }
            try await inTurn.value()
            let afterFirst = try #require(try await imports.job(job.id)).progress
            #expect(afterFirst == ImportProgress(bytesRead: 100, rowsRead: 3, created: 2, updated: 1))
            #expect(try await imports.issues(of: job.id, limit: 10, cursor: nil).items.isEmpty)

            // Sent again after it, it is stored and adds to the counts; another runner is refused.
            try await send(second, "runner").value()
            let afterSecond = try #require(try await imports.job(job.id)).progress
            #expect(afterSecond == ImportProgress(bytesRead: 200, rowsRead: 5, created: 3, updated: 1, failed: 1))
            #expect(try await imports.issues(of: job.id, limit: 10, cursor: nil).items.map(\.row) == [5])
            let third = ImportProgressStep(from: 200, bytesRead: 300, rows: 1)
            await #expect(throws: StoreError.self) { try await send(third, "someone else").value() }
            #expect(try #require(try await imports.job(job.id)).progress == afterSecond)
        }
    }
}

@Suite("HTTP: customer export")
struct CustomerExportTests {
    @Test("customers filtered by CEL export as CSV that imports back unchanged, and as JSON Lines", arguments: Backend.available)
    func roundTrip(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            _ = try await api.createCustomer(["name": "Ana Lima", "emails": ["ana@example.com"], "phones": ["+1 415 555 0101"],
                                              "lifecycle_stage": "lead", "attributes": ["tier": "gold", "vip": true],
                                              "addresses": [["city": "Lisbon", "country": "PT"]]])
            _ = try await api.createCustomer(["name": "=cmd() Bo", "emails": ["bo@example.com"], "lifecycle_stage": "lead",
                                              "attributes": ["tier": "silver"]])
            _ = try await api.createCustomer(["name": "Cy", "emails": ["cy@example.com"], "lifecycle_stage": "customer",
                                              "attributes": ["region": "north"]])
            let csv = try await api.get("/v1/customers/export?format=csv&filter=\(encodeQuery(#"lifecycle_stage == "lead""#))")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(lines.count == 3, "\(csv.text)")
            #expect(lines.first?.contains("attributes.tier,attributes.vip,") == true, "only the selected customers' attributes: \(lines[0])")
            #expect(lines.first?.contains("attributes.region") == false)
            #expect(csv.text.contains("'=cmd() Bo"), "a cell a spreadsheet would run is written as text")
            #expect(csv.text.contains("Lisbon"))

            // Read back in: every customer is found by identity and nothing changes.
            let made = try await api.post("/v1/imports", ["target": "customers", "mapping": ["name": nil]])
            let id = try #require(made.json["id"]?.stringValue)
            #expect(try await api.request(.put, "/v1/imports/\(id)/file", body: csv.text, contentType: "text/csv").status == .accepted)
            let job = try await eventually("the export's import finishes") { () -> JSONValue? in
                let job = try await api.get("/v1/imports/\(id)").json
                guard job["status"] == "completed" else { return nil }
                return job
            }
            let report = try await api.get("/v1/imports/\(id)/issues").text
            #expect(job["rows_unchanged"] == 2, "\(job) \(report)")
            #expect(job["rows_failed"] == 0, "\(report)")

            let jsonl = try await api.get("/v1/customers/export?format=jsonl&filter=\(encodeQuery("attributes.vip"))")
            let objects = jsonl.text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            #expect(objects.map { $0["name"] } == ["Ana Lima"])
            let whole = try await api.get("/v1/customers/export?format=jsonl").text
            let again = try await api.post("/v1/imports", ["target": "customers", "format": "jsonl"])
            let againID = try #require(again.json["id"]?.stringValue)
            #expect(try await api.request(.put, "/v1/imports/\(againID)/file", body: whole, contentType: "application/jsonl").status == .accepted)
            let reread = try await eventually("the JSON Lines export's import finishes") { () -> JSONValue? in
                let job = try await api.get("/v1/imports/\(againID)").json
                guard job["status"] == "completed" else { return nil }
                return job
            }
            let rereadIssues = try await api.get("/v1/imports/\(againID)/issues").text
            #expect(reread["rows_unchanged"] == 3, "\(reread) \(rereadIssues)")
            expectProblem(try await api.get("/v1/customers/export?filter=\(encodeQuery("shoe_size == 9"))"), .badRequest, field: "filter")
            expectProblem(try await api.get("/v1/customers/export?format=xlsx"), .badRequest, field: "format")
            #expect(try await api.get("/v1/customers?filter=\(encodeQuery(#"attributes.tier == "silver""#))").items.count == 1)
        }
    }
}
