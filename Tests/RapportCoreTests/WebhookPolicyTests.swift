@testable import RapportCore
import Testing

@Suite("Webhook delivery rules")
struct WebhookPolicyTests {
    @Test func theScheduleSpansAboutThreeDaysAndHonoursRetryAfter() {
        let schedule = RetrySchedule.standard
        #expect(schedule.attempts == 10)
        #expect(schedule.delay(beforeAttempt: 1) == .zero)
        #expect(schedule.delay(beforeAttempt: 2) == .seconds(5))
        #expect(schedule.delay(beforeAttempt: 10) == .seconds(24 * 3_600))
        #expect(schedule.delay(beforeAttempt: 11) == nil)
        let total = (1...10).compactMap { schedule.delay(beforeAttempt: $0) }.reduce(Duration.zero, +)
        #expect(total > .seconds(3 * 24 * 3_600) && total < .seconds(4 * 24 * 3_600))
        #expect(schedule.delay(beforeAttempt: 2, retryAfter: .seconds(120)) == .seconds(120))
        #expect(schedule.delay(beforeAttempt: 3, retryAfter: .seconds(1)) == .seconds(300))
    }

    @Test(arguments: [
        (200, nil, WebhookResponseOutcome.delivered), (204, nil, .delivered), (410, nil, .gone),
        (429, "30", .throttled(retryAfter: .seconds(30))), (503, nil, .throttled(retryAfter: nil)),
        (503, "Wed, 21 Oct 2015 07:28:00 GMT", .throttled(retryAfter: nil)), (400, nil, .failed), (500, nil, .failed),
        (301, nil, .failed),
    ] as [(Int, String?, WebhookResponseOutcome)])
    func responsesAreClassified(status: Int, retryAfter: String?, expected: WebhookResponseOutcome) {
        #expect(WebhookResponseOutcome(status: status, retryAfter: retryAfter) == expected)
    }

    @Test(arguments: [
        ("93.184.216.34", NetworkAddressKind.public), ("8.8.8.8", .public), ("127.0.0.1", .loopback), ("127.9.9.9", .loopback),
        ("10.1.2.3", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("172.32.0.1", .public),
        ("192.168.1.1", .private), ("100.64.0.1", .private), ("169.254.169.254", .linkLocal), ("0.0.0.0", .unspecified),
        ("224.0.0.1", .multicast), ("255.255.255.255", .reserved), ("::1", .loopback), ("::", .unspecified),
        ("fe80::1%eth0", .linkLocal), ("fd12:3456::1", .private), ("ff02::1", .multicast), ("::ffff:127.0.0.1", .loopback),
        ("::ffff:8.8.8.8", .public), ("2606:4700:4700::1111", .public), ("[2001:db8::1]", .reserved), ("::ffff:7f00:1", .loopback),
    ])
    func addressesAreClassified(address: String, expected: NetworkAddressKind) {
        #expect(NetworkAddressKind(address) == expected)
    }

    @Test func aScheduleReadsFromAListing() {
        #expect(RetrySchedule(listing: "0,5s,5m,30m,2h")?.delays == [.zero, .seconds(5), .seconds(300), .seconds(1_800), .seconds(7_200)])
        #expect(RetrySchedule(listing: "0, 250ms ,1")?.delays == [.zero, .milliseconds(250), .seconds(1)])
        for bad in ["", "5x", "-1s", "1,,2", "h", "9999h"] {
            #expect(RetrySchedule(listing: bad) == nil, "\(bad)")
        }
    }

    @Test func malformedAddressesAreNotAddresses() {
        for text in ["example.com", "1.2.3", "1.2.3.256", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.999", ""] {
            #expect(NetworkAddressKind(text) == nil, "\(text)")
        }
    }

    @Test func privateTargetsAreRefusedUnlessAllowed() {
        #expect(NetworkAddressPolicy(allowPrivate: false).refusal(of: "127.0.0.1")?.contains("loopback") == true)
        #expect(NetworkAddressPolicy(allowPrivate: true).refusal(of: "127.0.0.1") == nil)
        #expect(NetworkAddressPolicy(allowPrivate: false).refusal(of: "8.8.8.8") == nil)
        #expect(NetworkAddressPolicy(allowPrivate: true).refusal(of: "not-an-ip") != nil)
    }
}
