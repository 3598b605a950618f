import RapportCore
import Testing

@Suite("Calls: how provider events move a call") struct CallProgressTests {
    let start = Timestamp(rfc3339: "2026-12-03T10:00:00Z")!

    func event(_ kind: CallEvent.Kind, _ id: String, after seconds: Int64, duration: Int? = nil, agent: String? = nil,
               transcript: String? = nil) -> CallEvent {
        CallEvent(id: id, callID: "CA1", kind: kind, direction: .inbound, from: "+14155550101", to: "+14155550000",
                  at: start.adding(.seconds(seconds)), agentID: agent, durationSeconds: duration, recordingURL: nil, transcript: transcript)
    }

    func run(_ events: [CallEvent]) -> (call: Call?, finished: Int) {
        var call: Call?
        var finished = 0
        for event in events {
            let outcome = CallProgress.apply(event, to: call, id: "call_1", channelID: "chn_1", customerID: "cus_1", now: start)
            if outcome.finished { finished += 1 }
            call = outcome.call
        }
        return (call, finished)
    }

    @Test func anAnsweredCallEndsWithItsTalkTime() {
        let (call, finished) = run([event(.ringing, "e1", after: 0), event(.answered, "e2", after: 5, agent: "usr_1"), event(.ended, "e3", after: 65)])
        #expect(call?.status == .ended)
        #expect(call?.durationSeconds == 60)
        #expect(call?.agentID == "usr_1")
        #expect(finished == 1)
        let interaction = CallProgress.interaction(call!)
        #expect(interaction.kind == .call)
        #expect(interaction.metadata["thread_id"] == nil)
        #expect(interaction.metadata["duration_seconds"] == .integer(60))
    }

    @Test func lateAndRepeatedEventsNeverMoveACallBack() {
        let (call, finished) = run([event(.answered, "e2", after: 5), event(.ended, "e3", after: 65, duration: 58),
                                    event(.ringing, "e1", after: 0), event(.ended, "e3", after: 65, duration: 58)])
        #expect(call?.status == .ended)
        #expect(call?.startedAt == start)
        #expect(call?.durationSeconds == 58)
        #expect(finished == 1)
    }

    @Test func aCallNobodyAnsweredIsMissedAndAVoicemailFollowsIt() {
        let (missed, once) = run([event(.ringing, "e1", after: 0), event(.ended, "e2", after: 30)])
        #expect(missed?.status == .missed)
        #expect(once == 1)
        let callback = CallProgress.interaction(missed!)
        #expect(callback.metadata["thread_id"] == .string("call:CA1"))
        #expect(callback.metadata["callback"] == .bool(true))

        let (voicemail, twice) = run([event(.ringing, "e1", after: 0), event(.missed, "e2", after: 30),
                                      event(.voicemail, "e3", after: 90, transcript: "Please call me back about order 1234")])
        #expect(voicemail?.status == .voicemail)
        #expect(twice == 2)
        #expect(CallProgress.interaction(voicemail!).body == "Please call me back about order 1234")
    }
}
