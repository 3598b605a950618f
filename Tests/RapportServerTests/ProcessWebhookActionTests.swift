import HTTPTypes
import RapportCore
import RapportFlow
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// `rapport.webhook`: a process step that calls a webhook, done by Rapport's own worker at least
/// once — signed with the subscription's secret, the same `webhook-id` on every attempt, tried
/// again after a failure, an incident when it cannot be done.
@Suite("HTTP: process steps that call webhooks")
struct ProcessWebhookActionTests {
    static func process(webhook: String) -> String {
        ProcessEventsTests.definitions("""
            <bpmn:process id="tell_erp" isExecutable="true">
              <bpmn:startEvent id="s"/>
              <bpmn:serviceTask id="call_erp">
                <bpmn:extensionElements>
                  <rapport:taskDefinition type="rapport.webhook" resultVariable="erp_call"/>
                  <rapport:ioMapping>
                    <rapport:input source="'\(webhook)'" target="webhook"/>
                    <rapport:input source="{'order': order_id, 'total': total}" target="body"/>
                  </rapport:ioMapping>
                </bpmn:extensionElements>
              </bpmn:serviceTask>
              <bpmn:endEvent id="e"/>
              <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call_erp"/>
              <bpmn:sequenceFlow id="f2" sourceRef="call_erp" targetRef="e"/>
            </bpmn:process>
            """)
    }

    @Test("the call is signed and carries the body; a 503 is tried again with the same webhook-id; the instance goes on with the status",
          arguments: Backend.available)
    func call(backend: Backend) async throws {
        let receiver = Receiver(script: [503])
        try await receiver.listening { sink in
            try await withApp(backend) { api, _ in
                let (subscription, secret) = try await WebhookTests.subscribe(api, sink: sink, filters: [["prefix": ["type": "nothing."]]])
                #expect(try await api.post("/v1/processes", ["xml": .string(Self.process(webhook: subscription))]).status == .created)
                let started = try await api.post("/v1/process-instances", ["process": "tell_erp", "variables": ["order_id": "O-17", "total": 59.9]])
                let instance = try #require(started.json["id"]?.stringValue, "\(started.text)")
                #expect(started.json["status"] == "running", "the call is made after the commit, not in it")

                let calls = try await receiver.waitFor(2)
                let ids = calls.map { $0.headers[HTTPField.Name("webhook-id")!] }
                #expect(ids[0] != nil && ids[0] == ids[1], "the same idempotency key on every attempt: \(ids)")
                for call in calls {
                    #expect(try JSONParser.parse(call.body) == ["order": "O-17", "total": 59.9])
                    let timestamp = try #require(call.headers[HTTPField.Name("webhook-timestamp")!].flatMap { Int64($0) })
                    let header = try #require(call.headers[HTTPField.Name("webhook-signature")!])
                    #expect(WebhookSigner(secrets: [secret]).verifies(header: header, id: ids[0] ?? "", timestamp: timestamp, body: Array(call.body.utf8)))
                    #expect(call.headers[HTTPField.Name("rapport-process-instance")!] == instance)
                }
                let done = try await eventually("the instance completes") {
                    let reply = try await api.get("/v1/process-instances/\(instance)")
                    return reply.json["status"] == "completed" ? reply : nil
                }
                #expect(done.json["variables"]?["erp_call"] == ["status": 200])
                #expect(receiver.calls.count == 2)
                // Job workers may not take Rapport's own jobs.
                let refused = try await api.post("/v1/jobs/activate", ["type": "rapport.webhook", "worker": "w"])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.errorFields == ["type"])
            }
        }
    }

    @Test("a webhook that does not exist is an incident at once, naming it", arguments: Backend.available)
    func missingWebhook(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/processes", ["xml": .string(Self.process(webhook: "sub_nothing"))]).status == .created)
            let started = try await api.post("/v1/process-instances", ["process": "tell_erp", "variables": ["order_id": "O-18", "total": 1]])
            let instance = try #require(started.json["id"]?.stringValue, "\(started.text)")
            let incident = try await eventually("the incident") {
                try await api.get("/v1/incidents").items.first { $0["instance_id"]?.stringValue == instance }
            }
            #expect(incident["message"]?.stringValue?.contains("no webhook subscription has the id sub_nothing") == true, "\(incident)")
        }
    }

    @Test("a call slower than the job's lock: the worker renews the lock, so another worker does not call again",
          arguments: Backend.available)
    func slowCallKeepsItsLock(backend: Backend) async throws {
        let receiver = Receiver(holding: true)
        try await receiver.listening { sink in
            try await TestDatabases.withLocation(backend) { location in
                try await Store.withRunning(location, logger: TestDatabases.logger) { store in
                    let subscription = try await store.write { tx in
                        try await store.subscriptions.createSubscription(
                            NewSubscription(sink: sink, filters: [["prefix": ["type": "nothing."]]], description: "slow sink"),
                            secret: WebhookSigner.newSecret(), role: .admin, actor: .system, in: tx)
                    }
                    let xml = Self.process(webhook: subscription.id)
                    let instance = try await store.write { tx in
                        _ = try await store.processes.deploy(try BPMNReader.read(xml), xml: xml, by: .system, in: tx)
                        return try await store.processes.startInstance(
                            ProcessStart(key: "tell_erp", variables: ["order_id": "O-19", "total": 5]), by: .system, in: tx)
                    }
                    // Two nodes' workers with a 3-second lock renewed every 250 ms: a renewal held
                    // up for over 2.75 s (a busy machine running the whole suite) would let the lock
                    // lapse for a reason that is not the one tested.
                    func worker() -> ProcessActionWorker {
                        ProcessActionWorker(store: store, policy: NetworkAddressPolicy(allowPrivate: true), logger: TestDatabases.logger,
                                            lock: .seconds(3), lockRenewal: .milliseconds(250))
                    }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        // Should a check below fail, the workers' held call must still end, or
                        // the group would wait for them for ever.
                        defer { receiver.release() }
                        group.addTask { try await worker().run() }
                        group.addTask { try await worker().run() }
                        // The call is held until the worker has renewed the job's lock past a lapse
                        // twice over: the 3-second lock would have let the other worker take the job.
                        _ = try await receiver.waitFor(1)
                        let first = try #require(try await Self.lockedUntil(in: store))
                        try await waitUntil("the job's lock renewed for more than twice its length") {
                            try await Self.lockedUntil(in: store).map { $0.microseconds - first.microseconds > 6_000_000 } ?? false
                        }
                        receiver.release()
                        let done = try await eventually("the instance completes") {
                            try await store.processes.instance(instance.id).flatMap { $0.0.status == .completed ? $0.0 : nil }
                        }
                        #expect(done.state.variables["erp_call"] == ["status": 200])
                        #expect(receiver.calls.count == 1, "one call, though it outlasted the lock twice")
                        group.cancelAll()
                    }
                }
            }
        }
    }

    /// When the one job of the store is locked until.
    static func lockedUntil(in store: Store) async throws -> Timestamp? {
        try await store.read { database in
            try await database.raw("SELECT locked_until FROM process_jobs").first()?.decode(column: "locked_until", as: Int64?.self)
        }.map(Timestamp.init(microseconds:))
    }
}

