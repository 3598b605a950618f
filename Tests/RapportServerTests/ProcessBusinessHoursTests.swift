import Foundation
import RapportCore
import RapportFlow
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// Timers counted in a department's (or the company's) business hours, fired on the store's clock.
@Suite("Processes: timers in business hours")
struct ProcessBusinessHoursTests {
    /// Open Monday to Friday 09:00-17:00 in Shanghai (01:00-09:00 UTC).
    static let shanghai = BusinessHours(timeZone: TimeZone(identifier: "Asia/Shanghai")!,
                                        intervals: [1: [540..<1_020], 2: [540..<1_020], 3: [540..<1_020], 4: [540..<1_020], 5: [540..<1_020]])

    static func model(department: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
          <bpmn:process id="loan_check" isExecutable="true">
            <bpmn:startEvent id="s"/>
            <bpmn:serviceTask id="underwrite"><bpmn:extensionElements><rapport:taskDefinition type="underwrite"/></bpmn:extensionElements></bpmn:serviceTask>
            <bpmn:boundaryEvent id="sla" attachedToRef="underwrite">
              <bpmn:extensionElements><rapport:businessHours department="\(department)"/></bpmn:extensionElements>
              <bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition>
            </bpmn:boundaryEvent>
            <bpmn:intermediateCatchEvent id="cool_off">
              <bpmn:extensionElements><rapport:businessHours/></bpmn:extensionElements>
              <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
            </bpmn:intermediateCatchEvent>
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="late"/>
            <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="underwrite"/>
            <bpmn:sequenceFlow id="f2" sourceRef="underwrite" targetRef="cool_off"/>
            <bpmn:sequenceFlow id="f3" sourceRef="cool_off" targetRef="e"/>
            <bpmn:sequenceFlow id="f4" sourceRef="sla" targetRef="late"/>
          </bpmn:process>
        </bpmn:definitions>
        """
    }

    @Test("an SLA of 4 business hours in the department's hours fires on Monday, not on Friday night; the company's hours count the wait after it", arguments: Backend.available)
    func slaInDepartmentHours(backend: Backend) async throws {
        // Friday 4 December 2026, 16:00 in Shanghai.
        let time = TestTime(Timestamp(rfc3339: "2026-12-04T08:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            // A department nobody has made is refused at deploy, naming the timer and the department.
            let missing = Self.model(department: "underwriting")
            await #expect(throws: StoreError.self) {
                try await store.write { tx in _ = try await store.processes.deploy(try BPMNReader.read(missing), xml: missing, by: .system, in: tx) }
            }
            do {
                _ = try await store.write { tx in try await store.processes.deploy(try BPMNReader.read(missing), xml: missing, by: .system, in: tx) }
            } catch let error as StoreError {
                #expect(error.message.contains("sla counts") && error.message.contains("department underwriting,"), "\(error.message)")
                #expect(error.field == "xml")
            }

            let instance = try await store.write { tx in
                let department = try await store.organization.insertDepartment(key: "underwriting", name: "Underwriting", description: nil,
                                                                               actor: .system, in: tx)
                try await store.handoffs.setBusinessHours(Self.shanghai, of: department.id, actor: .system, in: tx)
                var routing = RoutingSettings()
                routing.businessHours = Self.shanghai
                try await store.routing.setRoutingSettings(routing, actor: .system, in: tx)
                let xml = Self.model(department: "underwriting")
                _ = try await store.processes.deploy(try BPMNReader.read(xml), xml: xml, by: .system, in: tx)
                return try await store.processes.startInstance(ProcessStart(key: "loan_check"), by: .system, in: tx)
            }
            // The instance shows when its SLA fires.
            let timers = try await store.processes.timers(of: instance.id)
            #expect(timers.map(\.node) == ["sla"] && timers.map(\.dueAt) == [Timestamp(rfc3339: "2026-12-07T04:00:00Z")!], "\(timers)")
            let runner = ProcessTimerRunner(store: store, logger: TestDatabases.logger)
            // One opening hour on Friday, three on Monday: due Monday 12:00 Shanghai (04:00 UTC).
            time.set(Timestamp(rfc3339: "2026-12-07T03:59:59Z")!)
            #expect(try await runner.look() == 0, "the weekend does not count")
            time.set(Timestamp(rfc3339: "2026-12-07T04:00:00Z")!)
            #expect(try await runner.look() == 1)
            let (late, _) = try #require(try await store.processes.instance(instance.id))
            #expect(late.status == .completed)
            let history = try await store.processes.history(of: instance.id, limit: 50, cursor: nil).items
            #expect(history.contains { $0.kind == "withdrawn" && $0.node == "underwrite" })

            // Done in time: the wait after it is one business day in the company's hours.
            let second = try await store.write { tx in try await store.processes.startInstance(ProcessStart(key: "loan_check"), by: .system, in: tx) }
            let job = try #require(try await store.write { tx in
                try await store.processes.activateJobs(type: "underwrite", worker: "w", limit: 5, lock: .seconds(60), in: tx)
            }.first { $0.job.instanceID == second.id })
            // Monday 16:30 Shanghai: the next business day's 16:30 is Tuesday's.
            time.set(Timestamp(rfc3339: "2026-12-07T08:30:00Z")!)
            _ = try await store.write { tx in try await store.processes.completeJob(job.job.id, variables: [:], by: .system, in: tx) }
            time.set(Timestamp(rfc3339: "2026-12-08T08:29:59Z")!)
            #expect(try await runner.look() == 0)
            time.set(Timestamp(rfc3339: "2026-12-08T08:30:00Z")!)
            #expect(try await runner.look() == 1)
            #expect(try await store.processes.instance(second.id)?.0.status == .completed)
        }
    }
}
