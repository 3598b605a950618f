@testable import RapportAMQP
import Testing

/// Deterministic generator so delays are reproducible (SplitMix64).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("AMQP reconnect backoff")
struct AMQPBackoffTests {
    @Test func ceilingGrowsExponentiallyUpToTheCap() {
        var backoff = AMQPBackoff(initial: .milliseconds(500), maximum: .seconds(30), multiplier: 2)
        var random = SeededRandom(state: 1)
        var ceilings: [Duration] = []
        for _ in 0..<10 {
            ceilings.append(backoff.currentCeiling)
            _ = backoff.nextDelay(using: &random)
        }
        #expect(ceilings == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30), .seconds(30)])
        #expect(backoff.attempts == 10)
    }

    @Test func delaysAreJitteredWithinTheCeiling() {
        let seed: UInt64 = 20_261_122
        var random = SeededRandom(state: seed)
        var delays: Set<Duration> = []
        for _ in 0..<200 {
            var backoff = AMQPBackoff(initial: .seconds(1), maximum: .seconds(8))
            for _ in 0..<3 { _ = backoff.nextDelay(using: &random) }
            let delay = backoff.nextDelay(using: &random)  // ceiling 8 s
            #expect(delay >= .zero && delay <= .seconds(8), "seed \(seed)")
            delays.insert(delay)
        }
        // Full jitter spreads clients out: many distinct values, and both halves of the range are used.
        #expect(delays.count > 150)
        #expect(delays.contains { $0 < .seconds(4) } && delays.contains { $0 > .seconds(4) })
    }

    @Test func aStableConnectionResetsTheSequence() {
        var backoff = AMQPBackoff(initial: .seconds(1), maximum: .seconds(60), stablePeriod: .seconds(60))
        for _ in 0..<5 { _ = backoff.nextDelay() }
        backoff.connectionEnded(after: .seconds(10))
        #expect(backoff.currentCeiling == .seconds(32))
        backoff.connectionEnded(after: .seconds(61))
        #expect(backoff.attempts == 0)
        #expect(backoff.currentCeiling == .seconds(1))
    }
}
