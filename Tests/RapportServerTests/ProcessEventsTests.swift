import Foundation
import RapportCore
import RapportFlow
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// BPMN events across instances over HTTP and the store: signals broadcast to waiting tokens and
/// starting processes, a job worker's business error caught by its task's boundary, message start
/// events, and an SLA on a subprocess withdrawing the jobs inside it.
@Suite("HTTP: process events")
struct ProcessEventsTests {
    static func definitions(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
        \(body)
        </bpmn:definitions>
        """
    }

    static func job(_ id: String, _ type: String) -> String {
        #"<bpmn:serviceTask id="\#(id)"><bpmn:extensionElements><rapport:taskDefinition type="\#(type)" retries="1"/></bpmn:extensionElements></bpmn:serviceTask>"#
    }

    static let storm = definitions("""
        <bpmn:signal id="sig" name="storm-warning"/>
        <bpmn:process id="storm_plan" isExecutable="true">
          <bpmn:startEvent id="s"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent>
          \(job("call_customers", "call"))
          <bpmn:endEvent id="e"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call_customers"/>
          <bpmn:sequenceFlow id="f2" sourceRef="call_customers" targetRef="e"/>
        </bpmn:process>
        <bpmn:process id="field_visit" isExecutable="true">
          <bpmn:startEvent id="s2"/>
          \(job("visit", "visit"))
          <bpmn:boundaryEvent id="postpone" attachedToRef="visit"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:boundaryEvent>
          <bpmn:endEvent id="e2"/>
          <bpmn:endEvent id="postponed"/>
          <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="visit"/>
          <bpmn:sequenceFlow id="g2" sourceRef="visit" targetRef="e2"/>
          <bpmn:sequenceFlow id="g3" sourceRef="postpone" targetRef="postponed"/>
        </bpmn:process>
        <bpmn:process id="weather_desk" isExecutable="true">
          <bpmn:startEvent id="s3"/>
          <bpmn:endEvent id="warn"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:endEvent>
          <bpmn:sequenceFlow id="h1" sourceRef="s3" targetRef="warn"/>
        </bpmn:process>
        """)

    @Test("a signal reaches every token waiting for it and starts the processes it starts, from the API and thrown by a process", arguments: Backend.available)
    func signals(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let deployed = try await api.post("/v1/processes", ["xml": .string(Self.storm)])
            #expect(deployed.status == .created, "\(deployed.text)")
            #expect(try await api.post("/v1/process-instances", ["process": "storm_plan"]).status == .unprocessableContent,
                    "a process with only a signal start event is not started by hand")
            let visits = [try await api.post("/v1/process-instances", ["process": "field_visit"]), try await api.post("/v1/process-instances", ["process": "field_visit"])]
            let visitIDs = try visits.map { try #require($0.json["id"]?.stringValue, "\($0.text)") }

            let broadcast = try await api.post("/v1/signals", ["name": "storm-warning", "variables": ["region": "north"]])
            #expect(broadcast.status == .ok, "\(broadcast.text)")
            #expect(broadcast.json["caught"]?.arrayValue?.compactMap(\.stringValue).sorted() == visitIDs.sorted())
            let started = broadcast.json["started"]?.arrayValue?.compactMap { $0.stringValue } ?? []
            #expect(started.count == 1)
            for id in visitIDs {
                let visit = try await api.get("/v1/process-instances/\(id)")
                #expect(visit.json["status"] == "completed")
                #expect(visit.json["variables"]?["region"] == "north")
            }
            let plan = try await api.get("/v1/process-instances/\(started[0])")
            #expect(plan.json["process"] == "storm_plan", "\(plan.text)")
            #expect(plan.json["variables"]?["region"] == "north")
            // The visits' jobs went with them; the plan's job is there to do.
            #expect(try await api.post("/v1/jobs/activate", ["type": "visit", "worker": "w"]).json["jobs"]?.arrayValue?.isEmpty == true)
            #expect(try await api.post("/v1/jobs/activate", ["type": "call", "worker": "w"]).json["jobs"]?.arrayValue?.count == 1)

            // Thrown by a process: the weather desk's end event starts another plan.
            let desk = try await api.post("/v1/process-instances", ["process": "weather_desk"])
            #expect(desk.json["status"] == "completed", "\(desk.text)")
            let plans = try await api.get("/v1/process-instances?process=storm_plan")
            #expect(plans.items.count == 2)
            // Nothing waits any more: a second broadcast only starts a plan.
            let again = try await api.post("/v1/signals", ["name": "storm-warning"])
            #expect(again.json["caught"]?.arrayValue?.isEmpty == true)
            #expect(again.json["started"]?.arrayValue?.count == 1)
            #expect(try await api.post("/v1/signals", ["name": " "]).status == .unprocessableContent)
        }
    }

    @Test("a job worker's business error goes to the error boundary for its code without retries; an unknown code is an incident", arguments: Backend.available)
    func jobErrors(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let xml = Self.definitions("""
                <bpmn:error id="no_stock" name="No stock" errorCode="NO_STOCK"/>
                <bpmn:process id="fulfil" isExecutable="true">
                  <bpmn:startEvent id="s"/>
                  \(Self.job("reserve", "reserve"))
                  <bpmn:boundaryEvent id="backorder" attachedToRef="reserve"><bpmn:errorEventDefinition errorRef="no_stock"/></bpmn:boundaryEvent>
                  \(Self.job("tell_customer", "tell"))
                  <bpmn:endEvent id="shipped"/>
                  <bpmn:endEvent id="told"/>
                  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="reserve"/>
                  <bpmn:sequenceFlow id="f2" sourceRef="reserve" targetRef="shipped"/>
                  <bpmn:sequenceFlow id="f3" sourceRef="backorder" targetRef="tell_customer"/>
                  <bpmn:sequenceFlow id="f4" sourceRef="tell_customer" targetRef="told"/>
                </bpmn:process>
                """)
            #expect(try await api.post("/v1/processes", ["xml": .string(xml)]).status == .created)
            func reserveJob() async throws -> String {
                let instance = try await api.post("/v1/process-instances", ["process": "fulfil"])
                #expect(instance.status == .created)
                let jobs = try await api.post("/v1/jobs/activate", ["type": "reserve", "worker": "stock-1"])
                return try #require(jobs.json["jobs"]?[0]?["id"]?.stringValue, "\(jobs.text)")
            }
            let first = try await reserveJob()
            let caught = try await api.post("/v1/jobs/\(first)/error", ["error_code": "NO_STOCK", "message": "sold out", "variables": ["eta": "2027-01-10"]])
            #expect(caught.status == .ok, "\(caught.text)")
            #expect(caught.json["variables"]?["eta"] == "2027-01-10")
            #expect(caught.json["tokens"]?.arrayValue?.compactMap { $0["node"]?.stringValue } == ["tell_customer"])
            #expect(try await api.post("/v1/jobs/\(first)/complete", [:]).status == .notFound, "the job is gone once its error is caught")

            let second = try await reserveJob()
            let uncaught = try await api.post("/v1/jobs/\(second)/error", ["error_code": "FRAUD"])
            #expect(uncaught.status == .ok, "\(uncaught.text)")
            #expect(uncaught.json["tokens"]?[0]?["state"] == "incident")
            let incidents = try await api.get("/v1/incidents")
            #expect(incidents.items.contains { ($0["message"]?.stringValue ?? "").contains("FRAUD") })
            #expect(try await api.post("/v1/jobs/\(second)/error", [:]).status == .unprocessableContent, "error_code is required")
        }
    }

    @Test("a message start event starts an instance per message, about the customer the key names or with the key as its business key", arguments: Backend.available)
    func messageStarts(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let xml = Self.definitions("""
                <bpmn:message id="m" name="loan-application"/>
                <bpmn:process id="loan" isExecutable="true">
                  <bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
                  \(Self.job("check", "loan.check"))
                  <bpmn:endEvent id="e"/>
                  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
                  <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e"/>
                </bpmn:process>
                """)
            #expect(try await api.post("/v1/processes", ["xml": .string(xml)]).status == .created)
            let customer = try #require(try await api.createCustomer(["name": "Noor"])["id"]?.stringValue)
            let sent = try await api.post("/v1/messages", ["name": "loan-application", "correlation_key": .string(customer), "variables": ["amount": 25_000]])
            #expect(sent.status == .ok, "\(sent.text)")
            #expect(sent.json["correlated"]?.arrayValue?.isEmpty == true)
            let started = try #require(sent.json["started"]?[0]?.stringValue)
            let instance = try await api.get("/v1/process-instances/\(started)")
            #expect(instance.json["customer_id"]?.stringValue == customer)
            #expect(instance.json["variables"]?["amount"] == 25_000)
            let byKey = try await api.post("/v1/messages", ["name": "loan-application", "correlation_key": "APP-7"])
            let other = try #require(byKey.json["started"]?[0]?.stringValue)
            #expect(try await api.get("/v1/process-instances/\(other)").json["business_key"] == "APP-7")
        }
    }

    @Test("an SLA on a subprocess: its timer fires on the store's clock and withdraws the jobs inside; done in time, the timer goes", arguments: Backend.available)
    func subprocessSLA(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-05T08:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let xml = Self.definitions("""
                <bpmn:process id="case_handling" isExecutable="true">
                  <bpmn:startEvent id="s"/>
                  <bpmn:subProcess id="resolve">
                    <bpmn:startEvent id="rs"/>
                    <bpmn:parallelGateway id="fork"/>
                    \(Self.job("refund", "refund"))
                    \(Self.job("apologise", "apologise"))
                    <bpmn:parallelGateway id="join"/>
                    <bpmn:endEvent id="re"/>
                    <bpmn:sequenceFlow id="r1" sourceRef="rs" targetRef="fork"/>
                    <bpmn:sequenceFlow id="r2" sourceRef="fork" targetRef="refund"/>
                    <bpmn:sequenceFlow id="r3" sourceRef="fork" targetRef="apologise"/>
                    <bpmn:sequenceFlow id="r4" sourceRef="refund" targetRef="join"/>
                    <bpmn:sequenceFlow id="r5" sourceRef="apologise" targetRef="join"/>
                    <bpmn:sequenceFlow id="r6" sourceRef="join" targetRef="re"/>
                  </bpmn:subProcess>
                  <bpmn:boundaryEvent id="sla" attachedToRef="resolve"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
                  \(Self.job("escalate", "escalate"))
                  <bpmn:endEvent id="e"/>
                  <bpmn:endEvent id="e2"/>
                  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="resolve"/>
                  <bpmn:sequenceFlow id="f2" sourceRef="resolve" targetRef="e"/>
                  <bpmn:sequenceFlow id="f3" sourceRef="sla" targetRef="escalate"/>
                  <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="e2"/>
                </bpmn:process>
                """)
            let late = try await store.write { tx in
                _ = try await store.processes.deploy(try BPMNReader.read(xml), xml: xml, by: .system, in: tx)
                return try await store.processes.startInstance(ProcessStart(key: "case_handling"), by: .system, in: tx)
            }
            func jobs(_ type: String) async throws -> [ActivatedJob] {
                try await store.write { tx in try await store.processes.activateJobs(type: type, worker: "w", limit: 5, lock: .seconds(1), in: tx) }
            }
            let runner = ProcessTimerRunner(store: store, logger: TestDatabases.logger)
            time.advance(by: .seconds(4 * 3600))
            #expect(try await runner.look() == 1)
            let refund = try await jobs("refund"), apologise = try await jobs("apologise")
            #expect(refund.isEmpty && apologise.isEmpty, "the jobs inside the subprocess are withdrawn")
            #expect(try await jobs("escalate").first?.job.instanceID == late.id)

            let inTime = try await store.write { tx in try await store.processes.startInstance(ProcessStart(key: "case_handling"), by: .system, in: tx) }
            for type in ["refund", "apologise"] {
                let open = try await jobs(type)
                let job = try #require(open.first { $0.job.instanceID == inTime.id })
                _ = try await store.write { tx in try await store.processes.completeJob(job.job.id, variables: [:], by: .system, in: tx) }
            }
            #expect(try await store.processes.instance(inTime.id)?.0.status == .completed)
            time.advance(by: .seconds(4 * 3600))
            #expect(try await runner.look() == 0, "the subprocess's timer went when it completed")
        }
    }
}

extension ProcessEventsTests {
    /// Waits for CRM events about the customer in a loop: each one seen goes back to waiting until
    /// two have come.
    static let loopingReceive = definitions("""
        <bpmn:message id="m" name="rapport.interaction.created"/>
        <bpmn:process id="collect_documents" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:exclusiveGateway id="again"/>
          <bpmn:receiveTask id="wait" messageRef="m"/>
          <bpmn:scriptTask id="count" scriptFormat="cel"><bpmn:script>seen = seen + 1</bpmn:script></bpmn:scriptTask>
          <bpmn:exclusiveGateway id="enough" default="more"/>
          <bpmn:endEvent id="e"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="again"/>
          <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="wait"/>
          <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="count"/>
          <bpmn:sequenceFlow id="f4" sourceRef="count" targetRef="enough"/>
          <bpmn:sequenceFlow id="done" sourceRef="enough" targetRef="e"><bpmn:conditionExpression>seen &gt;= 2</bpmn:conditionExpression></bpmn:sequenceFlow>
          <bpmn:sequenceFlow id="more" sourceRef="enough" targetRef="again"/>
        </bpmn:process>
        """)

    static func tick(_ time: TestTime) -> Timestamp {
        time.advance(by: .seconds(1))
        return time.now()
    }

    @Test("a token that waits again after one CRM event takes the next one even when it was committed before the first was handled", arguments: Backend.available)
    func waitingAgainMissesNothing(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-05T08:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let customer = try await store.write { tx in
                try await store.customers.createCustomer(NewCustomer(name: "Mia"), actor: .system, in: tx)
            }
            let instance = try await store.write { tx in
                _ = try await store.processes.deploy(try BPMNReader.read(Self.loopingReceive), xml: Self.loopingReceive, by: .system, in: tx)
                return try await store.processes.startInstance(ProcessStart(key: "collect_documents", variables: ["seen": 0], customerID: customer.id),
                                                               by: .system, in: tx)
            }
            // Two messages from the customer, both on the log before the triggers handle the first.
            let first = Event(sequence: 1_000_001, id: "evt_first", type: "rapport.interaction.created", subject: customer.id,
                              time: Self.tick(time), data: [:])
            let second = Event(sequence: 1_000_002, id: "evt_second", type: "rapport.interaction.created", subject: customer.id,
                               time: Self.tick(time), data: [:])
            time.advance(by: .seconds(1))
            #expect(try await store.write { tx in try await store.processes.onEvents([first], in: tx) } == 1)
            time.advance(by: .seconds(1))
            #expect(try await store.write { tx in try await store.processes.onEvents([second], in: tx) } == 1)
            let after = try #require(try await store.processes.instance(instance.id)?.0)
            #expect(after.status == .completed)
            #expect(after.state.variables["seen"] == 2)
            // The same two in one window reach a second instance the same way.
            let other = try await store.write { tx in
                try await store.processes.startInstance(ProcessStart(key: "collect_documents", variables: ["seen": 0], customerID: customer.id),
                                                        by: .system, in: tx)
            }
            let third = Event(sequence: 1_000_003, id: "evt_third", type: "rapport.interaction.created", subject: customer.id,
                              time: Self.tick(time), data: [:])
            let fourth = Event(sequence: 1_000_004, id: "evt_fourth", type: "rapport.interaction.created", subject: customer.id,
                               time: Self.tick(time), data: [:])
            #expect(try await store.write { tx in try await store.processes.onEvents([third, fourth], in: tx) } == 2)
            #expect(try await store.processes.instance(other.id)?.0.status == .completed)
        }
    }
}

extension ProcessEventsTests {
    static let calls = definitions("""
        <bpmn:process id="onboarding" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:callActivity id="kyc" calledElement="identity_check">
            <bpmn:extensionElements><rapport:ioMapping>
              <rapport:input source="applicant" target="person"/>
              <rapport:output source="verified" target="kyc_passed"/>
            </rapport:ioMapping></bpmn:extensionElements>
          </bpmn:callActivity>
          <bpmn:boundaryEvent id="give_up" attachedToRef="kyc"><bpmn:signalEventDefinition signalRef="sig_stop"/></bpmn:boundaryEvent>
          <bpmn:endEvent id="e"/>
          <bpmn:endEvent id="stopped"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="kyc"/>
          <bpmn:sequenceFlow id="f2" sourceRef="kyc" targetRef="e"/>
          <bpmn:sequenceFlow id="f3" sourceRef="give_up" targetRef="stopped"/>
        </bpmn:process>
        <bpmn:process id="identity_check" isExecutable="true">
          <bpmn:startEvent id="cs"/>
          \(job("verify", "kyc.verify"))
          <bpmn:endEvent id="ce"/>
          <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="verify"/>
          <bpmn:sequenceFlow id="c2" sourceRef="verify" targetRef="ce"/>
        </bpmn:process>
        <bpmn:process id="broken" isExecutable="true">
          <bpmn:startEvent id="bs"/>
          <bpmn:callActivity id="nowhere" calledElement="not_deployed"/>
          <bpmn:endEvent id="be"/>
          <bpmn:sequenceFlow id="b1" sourceRef="bs" targetRef="nowhere"/>
          <bpmn:sequenceFlow id="b2" sourceRef="nowhere" targetRef="be"/>
        </bpmn:process>
        <bpmn:process id="forever" isExecutable="true">
          <bpmn:startEvent id="fs"/>
          <bpmn:callActivity id="again" calledElement="forever"/>
          <bpmn:endEvent id="fe"/>
          <bpmn:sequenceFlow id="r1" sourceRef="fs" targetRef="again"/>
          <bpmn:sequenceFlow id="r2" sourceRef="again" targetRef="fe"/>
        </bpmn:process>
        """).replacingOccurrences(of: "<bpmn:process id=\"onboarding\"", with: "<bpmn:signal id=\"sig_stop\" name=\"stop-onboarding\"/><bpmn:process id=\"onboarding\"")

    @Test("a call activity starts the called process about the same customer, with its inputs; it goes on with the outputs when that completes; withdrawn, the called instance is cancelled", arguments: Backend.available)
    func callActivities(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let deployed = try await api.post("/v1/processes", ["xml": .string(Self.calls)])
            #expect(deployed.status == .created, "\(deployed.text)")
            let customer = try #require(try await api.createCustomer(["name": "Noor"])["id"]?.stringValue)
            let parent = try await api.post("/v1/process-instances", ["process": "onboarding", "customer_id": .string(customer),
                                                                     "variables": ["applicant": ["name": "Noor"], "secret": 1]])
            let parentID = try #require(parent.json["id"]?.stringValue, "\(parent.text)")
            let children = try await api.get("/v1/process-instances?process=identity_check")
            let child = try #require(children.items.first)
            #expect(child["customer_id"]?.stringValue == customer)
            #expect(child["called_by"]?["instance_id"]?.stringValue == parentID)
            #expect(child["variables"]?["person"]?["name"] == "Noor")
            #expect(child["variables"]?["secret"] == nil, "only the inputs go in")
            let jobs = try await api.post("/v1/jobs/activate", ["type": "kyc.verify", "worker": "kyc-1"])
            let job = try #require(jobs.json["jobs"]?[0]?["id"]?.stringValue, "\(jobs.text)")
            #expect(try await api.post("/v1/jobs/\(job)/complete", ["variables": ["verified": true]]).status == .ok)
            let after = try await api.get("/v1/process-instances/\(parentID)")
            #expect(after.json["status"] == "completed", "\(after.text)")
            #expect(after.json["variables"]?["kyc_passed"] == true)

            // Withdrawn by a boundary event: the called instance is cancelled, its job gone.
            let second = try await api.post("/v1/process-instances", ["process": "onboarding", "variables": ["applicant": ["name": "Ali"]]])
            let secondID = try #require(second.json["id"]?.stringValue)
            #expect(try await api.post("/v1/signals", ["name": "stop-onboarding"]).json["caught"]?[0]?.stringValue == secondID)
            #expect(try await api.get("/v1/process-instances/\(secondID)").json["status"] == "completed")
            let cancelled = try await api.get("/v1/process-instances?process=identity_check&status=cancelled")
            #expect(cancelled.items.count == 1)
            #expect(try await api.post("/v1/jobs/activate", ["type": "kyc.verify", "worker": "kyc-1"]).json["jobs"]?.arrayValue?.isEmpty == true)

            // A process that is not deployed, and one that calls itself for ever: incidents, nothing started without end.
            let broken = try await api.post("/v1/process-instances", ["process": "broken"])
            #expect(broken.json["tokens"]?[0]?["state"] == "incident", "\(broken.text)")
            let why = broken.json["tokens"]?[0]?["incident"]?.stringValue ?? ""
            #expect(why.contains("not_deployed"), "\(why)")
            let forever = try await api.post("/v1/process-instances", ["process": "forever"])
            #expect(forever.status == .created, "\(forever.text)")
            let nested = try await api.get("/v1/process-instances?process=forever&limit=200")
            #expect(nested.items.count == 33)
            let incidents = try await api.get("/v1/incidents").items.compactMap { $0["message"]?.stringValue }
            #expect(incidents.contains { $0.contains("without end") }, "\(incidents)")
        }
    }
}

extension ProcessEventsTests {
    static let creditCheck = definitions("""
        <bpmn:error id="no_record" name="No credit record" errorCode="NO_RECORD"/>
        <bpmn:process id="loan_review" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:callActivity id="credit_check" calledElement="credit_bureau"/>
          <bpmn:boundaryEvent id="no_history" attachedToRef="credit_check"><bpmn:errorEventDefinition errorRef="no_record"/></bpmn:boundaryEvent>
          \(job("manual_review", "review.manual"))
          <bpmn:endEvent id="e"/>
          <bpmn:endEvent id="reviewed"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="credit_check"/>
          <bpmn:sequenceFlow id="f2" sourceRef="credit_check" targetRef="e"/>
          <bpmn:sequenceFlow id="f3" sourceRef="no_history" targetRef="manual_review"/>
          <bpmn:sequenceFlow id="f4" sourceRef="manual_review" targetRef="reviewed"/>
        </bpmn:process>
        <bpmn:process id="credit_bureau" isExecutable="true">
          <bpmn:startEvent id="cs"/>
          \(job("query", "bureau.query"))
          <bpmn:endEvent id="ce"/>
          <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="query"/>
          <bpmn:sequenceFlow id="c2" sourceRef="query" targetRef="ce"/>
        </bpmn:process>
        """)

    @Test("an error nothing in the called instance catches ends it and is thrown at the call activity: its error boundary takes it; no boundary for the code, an incident there", arguments: Backend.available)
    func errorsFromCalledInstances(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let deployed = try await api.post("/v1/processes", ["xml": .string(Self.creditCheck)])
            #expect(deployed.status == .created, "\(deployed.text)")
            func bureauJob() async throws -> (parent: String, job: String) {
                let parent = try await api.post("/v1/process-instances", ["process": "loan_review"])
                let parentID = try #require(parent.json["id"]?.stringValue, "\(parent.text)")
                let jobs = try await api.post("/v1/jobs/activate", ["type": "bureau.query", "worker": "bureau-1"])
                return (parentID, try #require(jobs.json["jobs"]?[0]?["id"]?.stringValue, "\(jobs.text)"))
            }
            let first = try await bureauJob()
            let thrown = try await api.post("/v1/jobs/\(first.job)/error", ["error_code": "NO_RECORD", "message": "no file for this person"])
            #expect(thrown.status == .ok, "\(thrown.text)")
            #expect(thrown.json["status"] == "terminated", "the called instance ends with the error: \(thrown.text)")
            let parent = try await api.get("/v1/process-instances/\(first.parent)")
            #expect(parent.json["tokens"]?.arrayValue?.compactMap { $0["node"]?.stringValue } == ["manual_review"], "\(parent.text)")
            let steps = try await api.get("/v1/process-instances/\(first.parent)/history?limit=100").items
            #expect(steps.contains { $0["kind"] == "withdrawn" && $0["node"] == "credit_check" })
            #expect(steps.contains { $0["kind"] == "completed" && $0["node"] == "no_history" })

            // A code the call activity has no boundary for: an incident at the call activity, naming it and the called instance.
            let second = try await bureauJob()
            #expect(try await api.post("/v1/jobs/\(second.job)/error", ["error_code": "BUREAU_DOWN"]).json["status"] == "terminated")
            let stuck = try await api.get("/v1/process-instances/\(second.parent)")
            #expect(stuck.json["status"] == "running")
            #expect(stuck.json["tokens"]?[0]?["node"] == "credit_check")
            #expect(stuck.json["tokens"]?[0]?["state"] == "incident")
            let why = stuck.json["tokens"]?[0]?["incident"]?.stringValue ?? ""
            #expect(why.contains("BUREAU_DOWN") && why.contains("credit_bureau"), "\(why)")
            // Retried, the call activity calls again.
            let incident = try #require(try await api.get("/v1/incidents?status=open").items.first { $0["instance_id"]?.stringValue == second.parent })
            let incidentID = try #require(incident["id"]?.stringValue)
            #expect(try await api.post("/v1/incidents/\(incidentID)/retry", [:]).status == .ok)
            let running = try await api.get("/v1/process-instances?process=credit_bureau&status=running").items
            #expect(running.count == 1, "a new call: \(running)")
        }
    }
}

extension ProcessEventsTests {
    static let vipService = definitions("""
        <bpmn:escalation id="esc_vip" name="VIP" escalationCode="VIP"/>
        <bpmn:process id="claim" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:callActivity id="assess" calledElement="assessment"/>
          <bpmn:boundaryEvent id="vip_found" attachedToRef="assess" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="esc_vip"/></bpmn:boundaryEvent>
          \(job("tell_manager", "claims.tell_manager"))
          <bpmn:endEvent id="e"/>
          <bpmn:endEvent id="told"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="assess"/>
          <bpmn:sequenceFlow id="f2" sourceRef="assess" targetRef="e"/>
          <bpmn:sequenceFlow id="f3" sourceRef="vip_found" targetRef="tell_manager"/>
          <bpmn:sequenceFlow id="f4" sourceRef="tell_manager" targetRef="told"/>
        </bpmn:process>
        <bpmn:process id="assessment" isExecutable="true">
          <bpmn:startEvent id="as"/>
          \(job("look", "claims.look"))
          <bpmn:intermediateThrowEvent id="vip"><bpmn:escalationEventDefinition escalationRef="esc_vip"/></bpmn:intermediateThrowEvent>
          \(job("decide", "claims.decide"))
          <bpmn:endEvent id="ae"/>
          <bpmn:sequenceFlow id="a1" sourceRef="as" targetRef="look"/>
          <bpmn:sequenceFlow id="a2" sourceRef="look" targetRef="vip"/>
          <bpmn:sequenceFlow id="a3" sourceRef="vip" targetRef="decide"/>
          <bpmn:sequenceFlow id="a4" sourceRef="decide" targetRef="ae"/>
        </bpmn:process>
        """)

    @Test("an escalation the called instance does not catch reaches the call activity's boundary: the manager is told while the assessment goes on, and the claim ends when both are done",
          arguments: Backend.available)
    func escalationsFromCalledInstances(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let deployed = try await api.post("/v1/processes", ["xml": .string(Self.vipService)])
            #expect(deployed.status == .created, "\(deployed.text)")
            let claim = try #require(try await api.post("/v1/process-instances", ["process": "claim"]).json["id"]?.stringValue)
            func work(_ type: String) async throws -> JSONValue {
                let jobs = try await api.post("/v1/jobs/activate", ["type": .string(type), "worker": "w"])
                let job = try #require(jobs.json["jobs"]?[0]?["id"]?.stringValue, "\(type): \(jobs.text)")
                return try await api.post("/v1/jobs/\(job)/complete", [:]).json
            }
            let assessment = try await work("claims.look")
            #expect(assessment["tokens"]?.arrayValue?.compactMap { $0["node"]?.stringValue } == ["decide"], "the assessment goes on: \(assessment)")
            let told = try await api.get("/v1/process-instances/\(claim)")
            #expect(Set(told.json["tokens"]?.arrayValue?.compactMap { $0["node"]?.stringValue } ?? []) == ["assess", "tell_manager"], "\(told.text)")
            _ = try await work("claims.tell_manager")
            _ = try await work("claims.decide")
            #expect(try await api.get("/v1/process-instances/\(claim)").json["status"] == "completed")
        }
    }
}

extension ProcessEventsTests {
    static let cancellable = definitions("""
        <bpmn:message id="m_cancel" name="cancel-order"><bpmn:extensionElements><rapport:subscription correlationKey="order"/></bpmn:extensionElements></bpmn:message>
        <bpmn:process id="order" isExecutable="true">
          <bpmn:startEvent id="s"/>
          \(job("ship", "ship"))
          <bpmn:endEvent id="e"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ship"/>
          <bpmn:sequenceFlow id="f2" sourceRef="ship" targetRef="e"/>
          <bpmn:subProcess id="on_cancel" triggeredByEvent="true">
            <bpmn:startEvent id="cancelled"><bpmn:messageEventDefinition messageRef="m_cancel"/></bpmn:startEvent>
            \(job("refund", "refund"))
            <bpmn:endEvent id="refunded"/>
            <bpmn:sequenceFlow id="c1" sourceRef="cancelled" targetRef="refund"/>
            <bpmn:sequenceFlow id="c2" sourceRef="refund" targetRef="refunded"/>
          </bpmn:subProcess>
        </bpmn:process>
        """)

    @Test("an interrupting message event subprocess of a process: the message withdraws the work and refunds; a finished order takes no more messages", arguments: Backend.available)
    func eventSubprocesses(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.cancellable)]).status == .created)
            let first = try #require(try await api.post("/v1/process-instances", ["process": "order", "variables": ["order": "SO-1"]]).json["id"]?.stringValue)
            let second = try #require(try await api.post("/v1/process-instances", ["process": "order", "variables": ["order": "SO-2"]]).json["id"]?.stringValue)
            let cancel = try await api.post("/v1/messages", ["name": "cancel-order", "correlation_key": "SO-1", "variables": ["reason": "late"]])
            #expect(cancel.json["correlated"]?.arrayValue?.compactMap(\.stringValue) == [first], "\(cancel.text)")
            let ships = try await api.post("/v1/jobs/activate", ["type": "ship", "worker": "w", "max_jobs": 5])
            #expect(ships.json["jobs"]?.arrayValue?.compactMap { $0["instance_id"]?.stringValue } == [second], "the cancelled order's job is withdrawn")
            let refund = try #require(try await api.post("/v1/jobs/activate", ["type": "refund", "worker": "w"]).json["jobs"]?[0])
            #expect(refund["variables"]?["reason"] == "late")
            #expect(try await api.post("/v1/jobs/\(refund["id"]?.stringValue ?? "")/complete", [:]).json["status"] == "completed")
            // The second order ships and completes: its cancel subscription goes with it.
            let ship = try #require(ships.json["jobs"]?[0]?["id"]?.stringValue)
            #expect(try await api.post("/v1/jobs/\(ship)/complete", [:]).json["status"] == "completed")
            #expect(try await api.post("/v1/messages", ["name": "cancel-order", "correlation_key": "SO-2"]).json["correlated"]?.arrayValue?.isEmpty == true)
        }
    }
}

extension ProcessEventsTests {
    static func hourly(_ cycle: String, name: String) -> String {
        definitions("""
            <bpmn:process id="digest" name="\(name)" isExecutable="true">
              <bpmn:startEvent id="every_hour"><bpmn:timerEventDefinition><bpmn:timeCycle>\(cycle)</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
              <bpmn:endEvent id="e"/>
              <bpmn:sequenceFlow id="f1" sourceRef="every_hour" targetRef="e"/>
            </bpmn:process>
            """)
    }

    @Test("a timer start event with a cycle starts the newest version each time it is due, as many times as it repeats; a new version takes over", arguments: Backend.available)
    func timerStarts(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-05T08:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let first = Self.hourly("R3/PT1H", name: "Hourly digest")
            _ = try await store.write { tx in try await store.processes.deploy(try BPMNReader.read(first), xml: first, by: .system, in: tx) }
            let runner = ProcessTimerRunner(store: store, logger: TestDatabases.logger)
            func started() async throws -> Int { try await store.processes.instances(ProcessInstanceQuery(key: "digest"), limit: 50, cursor: nil).items.count }
            #expect(try await runner.look() == 0)
            time.advance(by: .seconds(3600))
            #expect(try await runner.look() == 1)
            #expect(try await started() == 1)
            // The server was down for two hours: what was missed fires once, then on the hour again.
            time.advance(by: .seconds(2 * 3600 + 60))
            #expect(try await runner.look() == 1)
            #expect(try await started() == 2)
            #expect(try await runner.look() == 0)
            time.advance(by: .seconds(3600))
            #expect(try await runner.look() == 1)
            #expect(try await started() == 3)
            time.advance(by: .seconds(3600))
            #expect(try await runner.look() == 0, "three times is all it repeats")

            // A new version: its timer replaces the old one's.
            let second = Self.hourly("R/PT30M", name: "Half-hourly digest")
            _ = try await store.write { tx in try await store.processes.deploy(try BPMNReader.read(second), xml: second, by: .system, in: tx) }
            time.advance(by: .seconds(1800))
            #expect(try await runner.look() == 1)
            let newest = try await store.processes.instances(ProcessInstanceQuery(key: "digest"), limit: 50, cursor: nil).items.first
            #expect(newest?.1.version == 2)
        }
    }
}

extension ProcessEventsTests {
    static let builtIns = definitions("""
        <bpmn:process id="complaint_followup" isExecutable="true">
          <bpmn:startEvent id="s"/>
          <bpmn:serviceTask id="note">
            <bpmn:extensionElements>
              <rapport:taskDefinition type="rapport.note" resultVariable="note_id"/>
              <rapport:ioMapping><rapport:input source="'Complaint ' + case_id + ': customer called twice'" target="body"/>
                <rapport:input source="true" target="pinned"/></rapport:ioMapping>
            </bpmn:extensionElements>
          </bpmn:serviceTask>
          <bpmn:serviceTask id="tell_sales">
            <bpmn:extensionElements>
              <rapport:taskDefinition type="rapport.handoff" resultVariable="handoff_id"/>
              <rapport:ioMapping><rapport:input source="'Unhappy customer, complaint ' + case_id" target="reason"/>
                <rapport:input source="'feedback'" target="kind"/></rapport:ioMapping>
            </bpmn:extensionElements>
          </bpmn:serviceTask>
          <bpmn:endEvent id="e"/>
          <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="note"/>
          <bpmn:sequenceFlow id="f2" sourceRef="note" targetRef="tell_sales"/>
          <bpmn:sequenceFlow id="f3" sourceRef="tell_sales" targetRef="e"/>
        </bpmn:process>
        """)

    @Test("Rapport's own actions: a note and a handoff made in the instance's transaction, their ids kept; without a customer, an incident", arguments: Backend.available)
    func builtInActions(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.builtIns)]).status == .created)
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let done = try await api.post("/v1/process-instances", ["process": "complaint_followup", "customer_id": .string(customer),
                                                                   "variables": ["case_id": "C-17"]])
            #expect(done.json["status"] == "completed", "\(done.text)")
            let noteID = try #require(done.json["variables"]?["note_id"]?.stringValue)
            let handoffID = try #require(done.json["variables"]?["handoff_id"]?.stringValue)
            let note = try await api.get("/v1/notes/\(noteID)")
            #expect(note.json["body"] == "Complaint C-17: customer called twice", "\(note.text)")
            #expect(note.json["customer_id"]?.stringValue == customer)
            #expect(note.json["pinned"] == true)
            let handoff = try await api.get("/v1/handoffs/\(handoffID)")
            #expect(handoff.json["reason"] == "Unhappy customer, complaint C-17", "\(handoff.text)")
            #expect(handoff.json["kind"] == "feedback")
            #expect(handoff.json["status"] == "requested")

            let nobody = try await api.post("/v1/process-instances", ["process": "complaint_followup", "variables": ["case_id": "C-18"]])
            #expect(nobody.json["tokens"]?[0]?["state"] == "incident", "\(nobody.text)")
            let why = nobody.json["tokens"]?[0]?["incident"]?.stringValue ?? ""
            #expect(why.contains("about no customer"), "\(why)")
        }
    }
}

extension ProcessEventsTests {
    static func reviewModel(after: String) -> String {
        definitions("""
            <bpmn:process id="review_order" isExecutable="true">
              <bpmn:startEvent id="s"/>
              \(job("review", "review"))
              \(after)
            </bpmn:process>
            """)
    }

    @Test("a running instance moves to a newer version: its token to the node of the same id, its job still its own; a version without that node is refused", arguments: Backend.available)
    func migration(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let v1 = Self.reviewModel(after: """
                <bpmn:endEvent id="e"/>
                <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
                <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
                """)
            let v2 = Self.reviewModel(after: """
                <bpmn:scriptTask id="score" scriptFormat="cel"><bpmn:script>scored = true</bpmn:script></bpmn:scriptTask>
                <bpmn:endEvent id="e"/>
                <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
                <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="score"/>
                <bpmn:sequenceFlow id="f3" sourceRef="score" targetRef="e"/>
                """)
            let v3 = Self.definitions("""
                <bpmn:process id="review_order" isExecutable="true">
                  <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>
                </bpmn:process>
                """)
            #expect(try await api.post("/v1/processes", ["xml": .string(v1)]).status == .created)
            let instance = try #require(try await api.post("/v1/process-instances", ["process": "review_order"]).json["id"]?.stringValue)
            #expect(try await api.post("/v1/processes", ["xml": .string(v2)]).json["processes"]?[0]?["version"] == 2)
            #expect(try await api.post("/v1/processes", ["xml": .string(v3)]).json["processes"]?[0]?["version"] == 3)

            let refused = try await api.post("/v1/process-instances/\(instance)/migrate", ["version": 3])
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(refused.text.contains("review"))
            #expect(try await api.post("/v1/process-instances/\(instance)/migrate", ["version": 9]).status == .unprocessableContent)
            let moved = try await api.post("/v1/process-instances/\(instance)/migrate", ["version": 2])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.json["process_version"] == 2)
            #expect(moved.json["tokens"]?[0]?["node"] == "review")

            let job = try #require(try await api.post("/v1/jobs/activate", ["type": "review", "worker": "w"]).json["jobs"]?[0]?["id"]?.stringValue)
            let done = try await api.post("/v1/jobs/\(job)/complete", [:])
            #expect(done.json["status"] == "completed", "\(done.text)")
            #expect(done.json["variables"]?["scored"] == true, "it ran on as version 2")
        }
    }
}
