@testable import RapportSync
import Testing

@Suite("Standard Webhooks signatures")
struct WebhookSignerTests {
    @Test func matchesTheSpecificationsExample() {
        // The example of the Standard Webhooks specification.
        let signer = WebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                         body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func aRotatingSubscriptionSignsWithEverySecret() {
        let old = WebhookSigner.newSecret()
        let new = WebhookSigner.newSecret()
        #expect(new.hasPrefix("whsec_") && new != old)
        let body = Array("{}".utf8)
        let both = WebhookSigner(secrets: [new, old]).signature(id: "evt_1", timestamp: 1, body: body)
        let parts = both.split(separator: " ").map(String.init)
        #expect(parts == [WebhookSigner(secrets: [new]).signature(id: "evt_1", timestamp: 1, body: body),
                          WebhookSigner(secrets: [old]).signature(id: "evt_1", timestamp: 1, body: body)])
        #expect(WebhookSigner(secrets: ["not-a-secret"]).signature(id: "evt_1", timestamp: 1, body: body).isEmpty)
    }
}
