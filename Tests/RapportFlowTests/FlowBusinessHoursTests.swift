import Foundation
import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: timers counted in business hours")
struct FlowBusinessHoursTests {
    typealias F = BPMNFixtures

    /// Open Monday to Friday 09:00-17:00 UTC; Monday 7 December 2026 closed.
    static let weekdays = BusinessHours(timeZone: TimeZone(identifier: "UTC")!,
                                        intervals: [1: [540..<1_020], 2: [540..<1_020], 3: [540..<1_020], 4: [540..<1_020], 5: [540..<1_020]],
                                        closedDates: ["2026-12-07"])
    static let underwriting = BusinessHoursReference(department: "underwriting")
    static let company = BusinessHoursReference(department: nil)

    static func at(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }

    /// A task with a 2-business-day SLA in underwriting's hours and an hourly (business) reminder,
    /// and a 4-business-hour wait in the company's hours after it.
    static let underwritingSLA = """
        <bpmn:startEvent id="s"/>
        <bpmn:userTask id="underwrite"/>
        <bpmn:boundaryEvent id="sla" attachedToRef="underwrite">
          <bpmn:extensionElements><rapport:businessHours department="underwriting"/></bpmn:extensionElements>
          \(F.timer("P2D"))
        </bpmn:boundaryEvent>
        <bpmn:boundaryEvent id="nudge" attachedToRef="underwrite" cancelActivity="false">
          <bpmn:extensionElements><rapport:businessHours department="underwriting"/></bpmn:extensionElements>
          <bpmn:timerEventDefinition><bpmn:timeCycle>R/PT4H</bpmn:timeCycle></bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        <bpmn:intermediateCatchEvent id="cool_off">
          <bpmn:extensionElements><rapport:businessHours/></bpmn:extensionElements>
          \(F.timer("PT4H"))
        </bpmn:intermediateCatchEvent>
        <bpmn:endEvent id="e"/>
        <bpmn:endEvent id="late"/>
        <bpmn:endEvent id="nudged"/>
        \(F.flow("f1", "s", "underwrite"))
        \(F.flow("f2", "underwrite", "cool_off"))
        \(F.flow("f3", "cool_off", "e"))
        \(F.flow("f4", "sla", "late"))
        \(F.flow("f5", "nudge", "nudged"))
        """

    static func timers(_ actions: [FlowAction]) -> [String: Timestamp] {
        var due: [String: Timestamp] = [:]
        for case .scheduleTimer(_, let node, let at) in actions { due[node] = at }
        return due
    }

    @Test("durations count business days and opening hours of the hours named; without them every minute counts")
    func durationsInBusinessHours() throws {
        let process = try F.process(Self.underwritingSLA)
        #expect(process.businessHours == [Self.underwriting, Self.company])
        let engine = FlowEngine(process)
        let friday = Self.at("2026-12-04T16:00:00Z")
        let started = engine.start(variables: [:], at: friday, calendars: [Self.underwriting: Self.weekdays])
        // Two business days from Friday 16:00, Monday closed: Tuesday and Wednesday, so Wednesday 16:00.
        // The reminder: 1 hour on Friday, 3 on Tuesday (Monday is closed).
        #expect(Self.timers(started.actions) == ["sla": Self.at("2026-12-09T16:00:00Z"), "nudge": Self.at("2026-12-08T12:00:00Z")])

        // The reminder fires and is armed again four opening hours on.
        let task = try #require(started.instance.tokens.first { process.nodes[$0.node].id == "underwrite" }).id
        let nudged = try engine.handle(.timerFired(token: task, node: "nudge"), on: started.instance, at: Self.at("2026-12-08T12:00:00Z"),
                                       calendars: [Self.underwriting: Self.weekdays])
        #expect(Self.timers(nudged.actions) == ["nudge": Self.at("2026-12-08T16:00:00Z")])

        // Without the company's hours, the wait after the task counts every minute; with them, opening hours.
        let done = try engine.handle(.complete(token: task, variables: [:]), on: nudged.instance, at: Self.at("2026-12-08T16:00:00Z"))
        #expect(Self.timers(done.actions) == ["cool_off": Self.at("2026-12-08T20:00:00Z")])
        let counted = try engine.handle(.complete(token: task, variables: [:]), on: nudged.instance, at: Self.at("2026-12-08T16:00:00Z"),
                                        calendars: [Self.company: Self.weekdays])
        #expect(Self.timers(counted.actions) == ["cool_off": Self.at("2026-12-09T12:00:00Z")])
    }

    @Test("business days: the same time on a later open date, counted from the first open moment; opening minutes skip nights, weekends and closed dates")
    func businessDays() {
        let hours = Self.weekdays
        #expect(hours.adding(businessDays: 1, to: Self.at("2026-12-03T10:30:00Z")) == Self.at("2026-12-04T10:30:00Z"))
        // Friday → (Monday closed) → Tuesday.
        #expect(hours.adding(businessDays: 1, to: Self.at("2026-12-04T10:30:00Z")) == Self.at("2026-12-08T10:30:00Z"))
        // Asked on Saturday: from Tuesday 09:00, the first open moment, one open date on.
        #expect(hours.adding(businessDays: 1, to: Self.at("2026-12-05T11:00:00Z")) == Self.at("2026-12-09T09:00:00Z"))
        // Asked after closing on Thursday: from Friday 09:00.
        #expect(hours.adding(businessDays: 2, to: Self.at("2026-12-03T18:00:00Z")) == Self.at("2026-12-09T09:00:00Z"))
        #expect(hours.adding(businessDays: 0, to: Self.at("2026-12-05T11:00:00Z")) == Self.at("2026-12-05T11:00:00Z"))
        // P1DT2H30M: a business day, then two and a half opening hours (past Wednesday's close into Thursday).
        let duration = ISODuration("P1DT2H30M")!
        #expect(duration.added(to: Self.at("2026-12-08T15:00:00Z"), in: hours) == Self.at("2026-12-10T09:30:00Z"))
        #expect(duration.added(to: Self.at("2026-12-08T15:00:00Z"), in: nil) == Self.at("2026-12-09T17:30:00Z"))
        // Hours with no opening time count calendar days.
        let never = BusinessHours(timeZone: TimeZone(identifier: "UTC")!, intervals: [:])
        #expect(never.adding(businessDays: 2, to: Self.at("2026-12-05T11:00:00Z")) == Self.at("2026-12-07T11:00:00Z"))
        // Another time zone: 16:00 in Shanghai on Friday is 08:00 UTC.
        let shanghai = BusinessHours(timeZone: TimeZone(identifier: "Asia/Shanghai")!, intervals: Self.weekdays.intervals)
        #expect(shanghai.adding(businessDays: 1, to: Self.at("2026-12-04T08:00:00Z")) == Self.at("2026-12-07T08:00:00Z"))
    }

    @Test("a timer start event in business hours counts from the deploy; a cycle's next time in opening hours")
    func startCycle() throws {
        let process = try F.process("""
            <bpmn:startEvent id="daily">
              <bpmn:extensionElements><rapport:businessHours department="underwriting"/></bpmn:extensionElements>
              <bpmn:timerEventDefinition><bpmn:timeCycle>R/PT8H</bpmn:timeCycle></bpmn:timerEventDefinition>
            </bpmn:startEvent>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "daily", "e"))
            """)
        let daily = try #require(process.node("daily"))
        let timer = try #require(process.nodes[daily].kind.timer)
        #expect(timer.businessHours == Self.underwriting)
        // Deployed on Thursday at 12:00: five hours that day, three on Friday.
        let first = timer.due(after: Self.at("2026-12-03T12:00:00Z"), in: Self.weekdays)
        #expect(first == Self.at("2026-12-04T12:00:00Z"))
        #expect(timer.cycle?.next(after: first, now: first, in: Self.weekdays) == Self.at("2026-12-08T12:00:00Z"))
    }

    @Test("refused at deploy: business hours on a date, in years, months or weeks, or on an element without a timer")
    func refusals() {
        func problems(_ body: String) -> [String] {
            do {
                _ = try BPMNReader.read(F.definitions(body))
                return []
            } catch {
                return error.problems.map(\.description)
            }
        }
        let hours = "<bpmn:extensionElements><rapport:businessHours department=\"underwriting\"/></bpmn:extensionElements>"
        let found = problems("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateCatchEvent id="on_date">\(hours)<bpmn:timerEventDefinition><bpmn:timeDate>2027-01-04T09:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
            <bpmn:intermediateCatchEvent id="month">\(hours)\(F.timer("P1M"))</bpmn:intermediateCatchEvent>
            <bpmn:intermediateCatchEvent id="week">\(hours)\(F.timer("P1W"))</bpmn:intermediateCatchEvent>
            <bpmn:userTask id="task">\(hours)</bpmn:userTask>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "on_date"))
            \(F.flow("f2", "on_date", "month"))
            \(F.flow("f3", "month", "week"))
            \(F.flow("f4", "week", "task"))
            \(F.flow("f5", "task", "e"))
            """)
        #expect(found.count == 4, "\(found)")
        #expect(found.contains { $0.contains("on_date") && $0.contains("timeDate is a moment") })
        #expect(found.contains { $0.contains("month") && $0.contains("`P1M`") })
        #expect(found.contains { $0.contains("week") && $0.contains("P10D") })
        #expect(found.contains { $0.contains("task") && $0.contains("has no timer") })
    }
}
