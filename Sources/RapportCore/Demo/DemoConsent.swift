/// What the story's customers said about being contacted (the marketing template's `consent`
/// records): most said yes to offers by email on the website's sign-up form, some took it back
/// later with an offer's unsubscribe link, a few said yes to text messages at a store or branch,
/// and some asked not to be called for surveys; one in four was never asked.
enum DemoConsent {
    static func story(of customer: inout DemoCustomer, index: Int, writer: inout DemoWriter) {
        guard index % 4 != 2 else { return }
        let chinese = customer.attributes["language"] == "zh-CN"
        func say(_ name: String, _ channel: String, _ purpose: String, _ status: String, daysAgo: Int, source: (String, String)) {
            customer.records.append(DemoRecord(name: name, type: ConsentLedger.recordType, fields: [
                "channel": .string(channel), "purpose": .string(purpose), "status": .string(status),
                "given_at": .string(writer.daysAgo(daysAgo).rfc3339), "source": .string(chinese ? source.1 : source.0),
            ], stages: []))
        }
        say("consent-email", "email", "marketing", "granted", daysAgo: 120 + index % 30, source: ("Website sign-up form", "官网注册表单"))
        if index % 5 == 1 {
            say("consent-email-withdrawn", "email", "marketing", "withdrawn", daysAgo: 5 + index % 10,
                source: ("Unsubscribe link in an offer", "优惠邮件中的退订链接"))
        }
        if index % 3 == 0 {
            say("consent-sms", "sms", "marketing", "granted", daysAgo: 40 + index % 20, source: ("At the store or branch", "在门店或网点"))
        }
        if index % 7 == 3 {
            say("consent-research", "phone", "research", "withdrawn", daysAgo: 30, source: ("Asked not to be called for surveys", "要求不再电话调研"))
        }
    }
}
