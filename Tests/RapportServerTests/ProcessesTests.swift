import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportFlow
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// BPMN processes over HTTP: deploying versions, starting instances about customers, a job
/// worker's fetch-complete-fail cycle, incidents retried, history, and timers fired on the store's clock.
@Suite("HTTP: processes")
struct ProcessesTests {
    static func model(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("the CRM order process: deployed once per version, started about a customer, its job done by a worker, completed", arguments: Backend.available)
    func crmOrder(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let xml = try Self.model("docs/processes/crm_order.bpmn")
            let deployed = try await api.post("/v1/processes", ["xml": .string(xml)])
            #expect(deployed.status == .created, "\(deployed.text)")
            #expect(deployed.json["processes"]?[0]?["key"]?.stringValue == "crm_order")
            #expect(deployed.json["processes"]?[0]?["version"] == 1)
            #expect(deployed.json["processes"]?[0]?["created"] == true)
            // The same file again is no new version; the raw file is accepted as XML too.
            let again = try await api.request(.post, "/v1/processes", body: xml, contentType: "application/xml")
            #expect(again.status == .ok, "\(again.text)")
            #expect(again.json["processes"]?[0]?["version"] == 1)
            #expect(again.json["processes"]?[0]?["created"] == false)
            let changed = try await api.request(.post, "/v1/processes", body: xml.replacingOccurrences(of: "amount &gt; 1000", with: "amount &gt; 2000"),
                                                contentType: "text/xml")
            #expect(changed.json["processes"]?[0]?["version"] == 2, "\(changed.text)")

            let model = try await api.get("/v1/processes/crm_order?version=1")
            #expect(model.json["nodes"]?.arrayValue?.count == 10, "\(model.text)")
            #expect(model.json["flows"]?.arrayValue?.first { $0["id"] == "f_big" }?["condition"] == "amount > 1000")
            #expect(try await api.get("/v1/processes").items.map { $0["version"] } == [2])

            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let started = try await api.post("/v1/process-instances", [
                "process": "crm_order", "version": 1, "variables": ["amount": 1_480, "customer": "Mia"], "customer_id": .string(customer),
                "business_key": "SO-1001",
            ])
            #expect(started.status == .created, "\(started.text)")
            let instance = try #require(started.json["id"]?.stringValue)
            #expect(started.json["status"] == "running")
            #expect(started.json["variables"]?["route"] == "review")
            #expect(Set(started.json["tokens"]?.arrayValue?.compactMap { $0["node"]?.stringValue } ?? []) == ["notify_customer", "and_join"])

            // A worker fetches the notify job with the instance's variables, and completes it.
            let fetched = try await api.post("/v1/jobs/activate", ["type": "notify", "worker": "mailer-1", "max_jobs": 5])
            let job = try #require(fetched.json["jobs"]?[0], "\(fetched.text)")
            #expect(job["instance_id"]?.stringValue == instance)
            #expect(job["customer_id"]?.stringValue == customer)
            #expect(job["variables"]?["approved"] == true)
            #expect(job["worker"] == "mailer-1")
            #expect(try await api.post("/v1/jobs/activate", ["type": "notify", "worker": "mailer-2"]).json["jobs"]?.arrayValue?.isEmpty == true,
                    "a locked job is not handed out twice")
            let jobID = try #require(job["id"]?.stringValue)
            let done = try await api.post("/v1/jobs/\(jobID)/complete", ["variables": ["notify_result": ["sent_to": "Mia"]]])
            #expect(done.json["status"] == "completed", "\(done.text)")
            #expect(done.json["tokens"]?.arrayValue?.isEmpty == true)
            expectProblem(try await api.post("/v1/jobs/\(jobID)/complete", [:]), .notFound)

            let history = try await api.get("/v1/process-instances/\(instance)/history").items
            let completedNodes = history.filter { $0["kind"] == "completed" }.compactMap { $0["node"]?.stringValue }
            #expect(completedNodes.contains("manual_review") && !completedNodes.contains("auto_approve"))
            #expect(completedNodes.last == "end")
            #expect(try await api.get("/v1/process-instances?customer_id=\(customer)").items.count == 1)
            #expect(try await api.get("/v1/process-instances?status=running").items.isEmpty)

            // The instance's steps are events on the customer's log.
            let events = try await api.get("/v1/events?limit=200").items.compactMap { $0["type"]?.stringValue }
            #expect(events.contains("rapport.process_definition.deployed"))
            #expect(events.contains("rapport.process.started"))
            #expect(events.contains("rapport.process.completed"))

            // Bad input.
            expectProblem(try await api.post("/v1/process-instances", ["process": "nope"]), .unprocessableContent, field: "process")
            expectProblem(try await api.post("/v1/process-instances", ["process": "crm_order", "customer_id": "cus_missing"]), .notFound)
            expectProblem(try await api.post("/v1/process-instances", ["process": "crm_order", "variables": [1, 2]]),
                          .unprocessableContent, field: "variables")
            expectProblem(try await api.post("/v1/jobs/activate", ["type": "notify"]), .unprocessableContent, field: "worker")
            expectProblem(try await api.post("/v1/process-instances/\(instance)/cancel", [:]), .conflict)
        }
    }

    @Test("a file that cannot run is refused whole, each problem with its element and line")
    func refusedFile() async throws {
        try await withApp { api, _ in
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:t">
                  <bpmn:process id="p" isExecutable="true">
                    <bpmn:startEvent id="s"/>
                    <bpmn:complexGateway id="sub"/>
                    <bpmn:scriptTask id="py" scriptFormat="python"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
                  </bpmn:process>
                </bpmn:definitions>
                """
            let reply = try await api.post("/v1/processes", ["xml": .string(xml)])
            expectProblem(reply, .unprocessableContent, field: "xml")
            let problems = reply.json["problems"]?.arrayValue ?? []
            #expect(problems.map { $0["element_id"]?.stringValue } == ["sub", "py"], "\(reply.text)")
            #expect(problems.map { $0["line"]?.intValue } == [5, 6])
            expectProblem(try await api.request(.post, "/v1/processes", body: "<not-closed>", contentType: "application/xml"), .unprocessableContent)
            #expect(try await api.get("/v1/processes").items.isEmpty)
        }
    }

    @Test("a job that fails with retries left is offered again; out of retries it is an incident until an admin retries it", arguments: Backend.available)
    func incidents(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="urn:t">
                  <bpmn:process id="charge" isExecutable="true">
                    <bpmn:startEvent id="s"/>
                    <bpmn:serviceTask id="card" name="Charge the card">
                      <bpmn:extensionElements><zeebe:taskDefinition type="payments" retries="2"/></bpmn:extensionElements>
                    </bpmn:serviceTask>
                    <bpmn:endEvent id="e"/>
                    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="card"/>
                    <bpmn:sequenceFlow id="f2" sourceRef="card" targetRef="e"/>
                  </bpmn:process>
                </bpmn:definitions>
                """
            #expect(try await api.post("/v1/processes", ["xml": .string(xml)]).status == .created)
            let instance = try #require(try await api.post("/v1/process-instances", ["process": "charge"]).json["id"]?.stringValue)
            func fetch() async throws -> String? {
                try await api.post("/v1/jobs/activate", ["type": "payments", "worker": "w"]).json["jobs"]?[0]?["id"]?.stringValue
            }
            let first = try #require(try await fetch())
            let retried = try await api.post("/v1/jobs/\(first)/fail", ["message": "gateway timeout"])
            #expect(retried.json["incident"] == false, "\(retried.text)")
            #expect(retried.json["job"]?["retries"] == 1)
            let second = try #require(try await fetch(), "offered again at once (retry_after_seconds 0)")
            #expect(second == first)
            let failed = try await api.post("/v1/jobs/\(second)/fail", ["message": "card declined"])
            #expect(failed.json["incident"] == true, "\(failed.text)")
            #expect(try await fetch() == nil)
            let open = try await api.get("/v1/incidents").items
            #expect(open.count == 1)
            #expect(open.first?["message"] == "card declined")
            #expect(open.first?["node"] == "card")
            let stuck = try await api.get("/v1/process-instances/\(instance)")
            #expect(stuck.json["tokens"]?[0]?["state"] == "incident")

            let incident = try #require(open.first?["id"]?.stringValue)
            let resumed = try await api.post("/v1/incidents/\(incident)/retry", [:])
            #expect(resumed.json["tokens"]?[0]?["state"] == "waiting", "\(resumed.text)")
            expectProblem(try await api.post("/v1/incidents/\(incident)/retry", [:]), .conflict)
            #expect(try await api.get("/v1/incidents").items.isEmpty)
            #expect(try await api.get("/v1/incidents?status=resolved").items.count == 1)
            let third = try #require(try await fetch())
            #expect(try await api.post("/v1/jobs/\(third)/complete", [:]).json["status"] == "completed")

            // Cancelling withdraws what a running instance waits for.
            let other = try #require(try await api.post("/v1/process-instances", ["process": "charge"]).json["id"]?.stringValue)
            let cancelled = try await api.post("/v1/process-instances/\(other)/cancel", [:])
            #expect(cancelled.json["status"] == "cancelled", "\(cancelled.text)")
            #expect(try await fetch() == nil)
        }
    }

    @Test("a user task is a Rapport task for its department, due after its SLA; done, the process goes on; cancelled, an incident", arguments: Backend.available)
    func userTasks(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let li = try await NotesTests.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "finance")
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
                  <bpmn:process id="loan" isExecutable="true">
                    <bpmn:startEvent id="s"/>
                    <bpmn:userTask id="underwrite" name="Underwrite the loan">
                      <bpmn:extensionElements><rapport:assignment candidateGroups="finance" dueAfter="P2D"/></bpmn:extensionElements>
                    </bpmn:userTask>
                    <bpmn:userTask id="nobody" name="Nobody's"/>
                    <bpmn:exclusiveGateway id="x" default="f_end"/>
                    <bpmn:endEvent id="e"/>
                    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="underwrite"/>
                    <bpmn:sequenceFlow id="f2" sourceRef="underwrite" targetRef="x"/>
                    <bpmn:sequenceFlow id="f_nobody" sourceRef="x" targetRef="nobody"><bpmn:conditionExpression>ask_nobody</bpmn:conditionExpression></bpmn:sequenceFlow>
                    <bpmn:sequenceFlow id="f_end" sourceRef="x" targetRef="e"/>
                    <bpmn:sequenceFlow id="f3" sourceRef="nobody" targetRef="e"/>
                  </bpmn:process>
                </bpmn:definitions>
                """
            #expect(try await api.post("/v1/processes", ["xml": .string(xml)]).status == .created)
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let started = try await api.post("/v1/process-instances", ["process": "loan", "customer_id": .string(customer),
                                                                         "variables": ["ask_nobody": false]])
            let instance = try #require(started.json["id"]?.stringValue, "\(started.text)")

            // The finance department's task, about the customer, due in two days; Li Wei hears of it.
            let tasks = try await api.get("/v1/tasks?view=department", auth: li.auth).items
            let task = try #require(tasks.first, "no task for finance")
            #expect(task["title"] == "Underwrite the loan")
            #expect(task["source"]?.stringValue == "process:\(instance)")
            #expect(task["customer_id"]?.stringValue == customer)
            #expect(task["assignee"]?["kind"] == "department")
            #expect(task["due_at"]?.stringValue != nil)
            #expect(try await api.get("/v1/notifications", auth: li.auth).items.first?["kind"] == "assignment")
            let taskID = try #require(task["id"]?.stringValue)
            let done = try await api.patch("/v1/tasks/\(taskID)", ["status": "done"], auth: li.auth)
            #expect(done.status == .ok, "\(done.text)")
            #expect(try await api.get("/v1/process-instances/\(instance)").json["status"] == "completed")

            // A user task given to no one stops in an incident; a task cancelled by a person does too.
            let second = try await api.post("/v1/process-instances", ["process": "loan", "variables": ["ask_nobody": true]])
            let secondID = try #require(second.json["id"]?.stringValue)
            let secondTask = try #require(try await api.get("/v1/tasks?view=all").items.first { $0["source"]?.stringValue == "process:\(secondID)" })
            _ = try await api.patch("/v1/tasks/\(try #require(secondTask["id"]?.stringValue))", ["status": "done"])
            let stuck = try await api.get("/v1/process-instances/\(secondID)")
            #expect(stuck.json["tokens"]?[0]?["state"] == "incident", "\(stuck.text)")
            #expect(stuck.json["tokens"]?[0]?["incident"]?.stringValue?.contains("names no assignee") == true)

            let third = try await api.post("/v1/process-instances", ["process": "loan", "variables": ["ask_nobody": false]])
            let thirdID = try #require(third.json["id"]?.stringValue)
            let thirdTask = try #require(try await api.get("/v1/tasks?view=all").items.first { $0["source"]?.stringValue == "process:\(thirdID)" })
            _ = try await api.patch("/v1/tasks/\(try #require(thirdTask["id"]?.stringValue))", ["status": "cancelled"])
            #expect(try await api.get("/v1/process-instances/\(thirdID)").json["tokens"]?[0]?["incident"] == "the task was cancelled")

            // Cancelling an instance cancels the task it waited for.
            let fourth = try await api.post("/v1/process-instances", ["process": "loan", "variables": ["ask_nobody": false]])
            let fourthID = try #require(fourth.json["id"]?.stringValue)
            #expect(try await api.post("/v1/process-instances/\(fourthID)/cancel", [:]).json["status"] == "cancelled")
            let fourthTask = try #require(try await api.get("/v1/tasks?view=all&status=any").items.first { $0["source"]?.stringValue == "process:\(fourthID)" })
            #expect(fourthTask["status"] == "cancelled")
        }
    }

    @Test("a conditional start event starts an instance for each CRM event its CEL condition matches, about the event's customer, once", arguments: Backend.available)
    func startsOnEvents(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            // Before the process exists: this VIP starts nothing.
            _ = try await api.createCustomer(["name": "Early", "attributes": ["tier": "vip"]])
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
                  <bpmn:process id="vip_welcome" isExecutable="true">
                    <bpmn:startEvent id="new_vip">
                      <bpmn:conditionalEventDefinition>
                        <bpmn:condition>type == "rapport.customer.created" &amp;&amp; data.customer.attributes.tier == "vip"</bpmn:condition>
                      </bpmn:conditionalEventDefinition>
                    </bpmn:startEvent>
                    <bpmn:serviceTask id="welcome"><bpmn:extensionElements><rapport:taskDefinition type="welcome"/></bpmn:extensionElements></bpmn:serviceTask>
                    <bpmn:endEvent id="e"/>
                    <bpmn:sequenceFlow id="f1" sourceRef="new_vip" targetRef="welcome"/>
                    <bpmn:sequenceFlow id="f2" sourceRef="welcome" targetRef="e"/>
                  </bpmn:process>
                </bpmn:definitions>
                """
            #expect(try await api.post("/v1/processes", ["xml": .string(xml)]).status == .created)
            let vip = try #require(try await api.createCustomer(["name": "Mia", "attributes": ["tier": "vip"]])["id"]?.stringValue)
            let regular = try #require(try await api.createCustomer(["name": "Bo", "attributes": ["tier": "basic"]])["id"]?.stringValue)
            try await waitUntil("the VIP's welcome process to start") {
                try await api.get("/v1/process-instances?customer_id=\(vip)").items.count == 1
            }
            let instance = try #require(try await api.get("/v1/process-instances?customer_id=\(vip)").items.first)
            #expect(instance["variables"]?["event"]?["type"] == "rapport.customer.created")
            #expect(instance["variables"]?["event"]?["data"]?["customer"]?["name"] == "Mia")
            #expect(instance["started_by"]?["id"] == "process-triggers")
            let job = try await api.post("/v1/jobs/activate", ["type": "welcome", "worker": "w"]).json["jobs"]?[0]
            #expect(job?["customer_id"]?.stringValue == vip)
            // Once per event, nothing for the others; the API cannot start it by hand.
            #expect(try await api.get("/v1/process-instances?process=vip_welcome").items.count == 1)
            #expect(try await api.get("/v1/process-instances?customer_id=\(regular)").items.isEmpty)
            expectProblem(try await api.post("/v1/process-instances", ["process": "vip_welcome"]), .unprocessableContent, field: "process")
        }
    }

    @Test("messages reach the tokens waiting with their key: one sent to the API, and a CRM event about the instance's customer", arguments: Backend.available)
    func messages(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
                  <bpmn:message id="m_docs" name="documents"><bpmn:extensionElements><rapport:subscription correlationKey="application_id"/></bpmn:extensionElements></bpmn:message>
                  <bpmn:message id="m_contact" name="rapport.interaction.created"/>
                  <bpmn:process id="loan_docs" isExecutable="true">
                    <bpmn:startEvent id="s"/>
                    <bpmn:intermediateCatchEvent id="wait_docs"><bpmn:messageEventDefinition messageRef="m_docs"/></bpmn:intermediateCatchEvent>
                    <bpmn:intermediateCatchEvent id="wait_contact"><bpmn:messageEventDefinition messageRef="m_contact"/></bpmn:intermediateCatchEvent>
                    <bpmn:endEvent id="e"/>
                    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_docs"/>
                    <bpmn:sequenceFlow id="f2" sourceRef="wait_docs" targetRef="wait_contact"/>
                    <bpmn:sequenceFlow id="f3" sourceRef="wait_contact" targetRef="e"/>
                  </bpmn:process>
                </bpmn:definitions>
                """
            #expect(try await api.post("/v1/processes", ["xml": .string(xml)]).status == .created)
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let channel = try await api.createChannel(kind: "web", name: "Web")
            let started = try await api.post("/v1/process-instances", ["process": "loan_docs", "customer_id": .string(customer),
                                                                         "variables": ["application_id": "A-17"]])
            let instance = try #require(started.json["id"]?.stringValue, "\(started.text)")

            #expect(try await api.post("/v1/messages", ["name": "documents", "correlation_key": "A-99"]).json["correlated"] == [])
            let sent = try await api.post("/v1/messages", ["name": "documents", "correlation_key": "A-17", "variables": ["pages": 3]])
            #expect(sent.json["correlated"] == .array([.string(instance)]), "\(sent.text)")
            let waiting = try await api.get("/v1/process-instances/\(instance)")
            #expect(waiting.json["variables"]?["pages"] == 3)
            #expect(waiting.json["tokens"]?[0]?["node"] == "wait_contact")
            #expect(try await api.post("/v1/messages", ["name": "documents", "correlation_key": "A-17"]).json["correlated"] == [],
                    "a message reaches a token once")

            // The customer writes in on the web: the interaction's event is the message.
            let other = try #require(try await api.createCustomer(["name": "Bo"])["id"]?.stringValue)
            _ = try await api.post("/v1/interactions", ["channel_id": .string(channel), "customer_id": .string(other), "kind": "message",
                                                        "direction": "inbound", "body": "not Mia"])
            _ = try await api.post("/v1/interactions", ["channel_id": .string(channel), "customer_id": .string(customer), "kind": "message",
                                                        "direction": "inbound", "body": "Here are my documents"])
            try await waitUntil("the customer's message to move the instance on") {
                try await api.get("/v1/process-instances/\(instance)").json["status"] == "completed"
            }
            let done = try await api.get("/v1/process-instances/\(instance)")
            #expect(done.json["variables"]?["event"]?["data"]?["interaction"]?["body"] == "Here are my documents")
            expectProblem(try await api.post("/v1/messages", ["name": "documents"]), .unprocessableContent, field: "correlation_key")
            expectProblem(try await api.post("/v1/messages", ["name": "documents", "correlation_key": "A-17", "variables": .null]),
                          .unprocessableContent, field: "variables")
            expectProblem(try await api.post("/v1/process-instances/\(instance)/variables", ["variables": .null]), .unprocessableContent,
                          field: "variables")
        }
    }

    @Test("a long-polling worker gets the job the moment an instance makes it")
    func longPolling() async throws {
        try await withApp(.sqlite) { (api: API, _: String, store: Store) in
            #expect(try await api.post("/v1/processes", ["xml": .string(try Self.model("docs/processes/crm_order.bpmn"))]).status == .created)
            let before = store.commitWaiters
            let jobs = try await withThrowingTaskGroup(of: [JSONValue]?.self) { group in
                group.addTask {
                    try await api.withConnection { client in
                        let response = try await client.execute(TestClient.Request(
                            "/v1/jobs/activate", method: .post,
                            headers: [.authorization: "Bearer \(api.adminKey)", .contentType: "application/json"],
                            body: ByteBuffer(string: #"{"type": "notify", "worker": "w", "wait_seconds": 30}"#)))
                        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
                        return (try? JSONParser.parse(bytes))?["jobs"]?.arrayValue
                    }
                }
                // The poll is waiting (it holds a commit waiter) before the instance starts.
                try await waitUntil("the worker's poll to wait for a commit") { store.commitWaiters > before }
                _ = try await api.post("/v1/process-instances", ["process": "crm_order", "variables": ["amount": 10]])
                let result = try await group.next() ?? nil
                group.cancelAll()
                return result ?? []
            }
            #expect(jobs.count == 1)
            #expect(jobs.first?["type"] == "notify")
        }
    }

    @Test("a timer catch event waits on the store's clock; the runner fires it once it is due, another node after the first's lease", arguments: Backend.available)
    func timers(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-05T08:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:t">
                  <bpmn:process id="follow_up" isExecutable="true">
                    <bpmn:startEvent id="s"/>
                    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
                    <bpmn:endEvent id="e"/>
                    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
                    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/>
                  </bpmn:process>
                </bpmn:definitions>
                """
            let document = try BPMNReader.read(xml)
            let instance = try await store.write { tx in
                _ = try await store.processes.deploy(document, xml: xml, by: .system, in: tx)
                return try await store.processes.startInstance(ProcessStart(key: "follow_up"), by: .system, in: tx)
            }
            let runner = ProcessTimerRunner(store: store, logger: TestDatabases.logger)
            #expect(try await runner.look() == 0)
            time.advance(by: .seconds(4 * 3600 - 1))
            #expect(try await runner.look() == 0)
            time.advance(by: .seconds(1))
            #expect(try await runner.look() == 1)
            #expect(try await store.processes.instance(instance.id)?.0.status == .completed)
            #expect(try await runner.look() == 0)
            // Another node fires what is due once the first node's lease has lapsed.
            let second = try await store.write { tx in try await store.processes.startInstance(ProcessStart(key: "follow_up"), by: .system, in: tx) }
            time.advance(by: .seconds(4 * 3600))
            #expect(try await ProcessTimerRunner(store: store, logger: TestDatabases.logger).look() == 1)
            #expect(try await store.processes.instance(second.id)?.0.status == .completed)

            // An SLA on a service task: unworked for 4 hours, its job is withdrawn and an escalation's job is offered.
            let slaXML = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
                  <bpmn:process id="complaint" isExecutable="true">
                    <bpmn:startEvent id="s"/>
                    <bpmn:serviceTask id="resolve"><bpmn:extensionElements><rapport:taskDefinition type="resolve"/></bpmn:extensionElements></bpmn:serviceTask>
                    <bpmn:boundaryEvent id="sla" attachedToRef="resolve"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
                    <bpmn:serviceTask id="escalate"><bpmn:extensionElements><rapport:taskDefinition type="escalate"/></bpmn:extensionElements></bpmn:serviceTask>
                    <bpmn:endEvent id="e"/>
                    <bpmn:endEvent id="e2"/>
                    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="resolve"/>
                    <bpmn:sequenceFlow id="f2" sourceRef="resolve" targetRef="e"/>
                    <bpmn:sequenceFlow id="f3" sourceRef="sla" targetRef="escalate"/>
                    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="e2"/>
                  </bpmn:process>
                </bpmn:definitions>
                """
            let complaint = try await store.write { tx in
                _ = try await store.processes.deploy(try BPMNReader.read(slaXML), xml: slaXML, by: .system, in: tx)
                return try await store.processes.startInstance(ProcessStart(key: "complaint"), by: .system, in: tx)
            }
            func jobs(_ type: String) async throws -> [ActivatedJob] {
                try await store.write { tx in try await store.processes.activateJobs(type: type, worker: "w", limit: 5, lock: .seconds(1), in: tx) }
            }
            time.advance(by: .seconds(4 * 3600))
            #expect(try await runner.look() == 1)
            #expect(try await jobs("resolve").isEmpty, "the interrupted task's job is withdrawn")
            let escalation = try #require(try await jobs("escalate").first)
            #expect(escalation.job.instanceID == complaint.id)
            let history = try await store.processes.history(of: complaint.id, limit: 50, cursor: nil).items
            #expect(history.contains { $0.kind == "withdrawn" && $0.node == "resolve" })
        }
    }
}
