import RapportCore
import Testing

@Suite("Sign-in throttle")
struct SignInThrottleTests {
    func at(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: 1_800_000_000_000_000 + seconds * 1_000_000) }

    @Test("ten failures lock the key for a minute, each further one doubles the lockout, success clears it")
    func lockout() {
        var throttle = SignInThrottle(policy: .perAccount)
        for second in 0..<9 { throttle.recordFailure("ada", at: at(Int64(second))) }
        #expect(throttle.retryAfter("ada", at: at(9)) == nil)
        throttle.recordFailure("ada", at: at(9))
        #expect(throttle.retryAfter("ada", at: at(9)) == 60)
        #expect(throttle.retryAfter("ada", at: at(68)) == 1)
        #expect(throttle.retryAfter("ada", at: at(69)) == nil)
        #expect(throttle.retryAfter("bo", at: at(9)) == nil, "other keys are not affected")
        throttle.recordFailure("ada", at: at(70))
        #expect(throttle.retryAfter("ada", at: at(70)) == 120)
        throttle.recordSuccess("ada")
        #expect(throttle.retryAfter("ada", at: at(71)) == nil)
    }

    @Test("failures older than the window are forgotten")
    func window() {
        var throttle = SignInThrottle(policy: .perAccount)
        for minute in 0..<9 { throttle.recordFailure("ada", at: at(Int64(minute) * 60)) }
        // The first failure (at 0) is 15 minutes old by now: nine in the window, no lockout.
        throttle.recordFailure("ada", at: at(900))
        #expect(throttle.retryAfter("ada", at: at(900)) == nil)
        throttle.recordFailure("ada", at: at(901))
        #expect(throttle.retryAfter("ada", at: at(901)) == 60)
    }

    @Test("memory stays bounded under a spray of keys, keeping lockouts in force")
    func bounded() {
        var throttle = SignInThrottle(policy: .perAccount, capacity: 100)
        for _ in 0..<10 { throttle.recordFailure("target", at: at(0)) }
        for index in 0..<1_000 { throttle.recordFailure("spray\(index)", at: at(1)) }
        #expect(throttle.retryAfter("target", at: at(2)) != nil)
    }
}
