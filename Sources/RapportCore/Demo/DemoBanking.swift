/// Banking: accounts and products held, and loan applications started on one channel and carried
/// on at a branch, in every stage from applied to disbursed.
enum DemoBanking {
    static let purposes = ["home", "car", "education", "business", "personal"]
    /// The stages each application walks through, after `applied`.
    static let paths: [[String]] = [[], ["documents"], ["documents", "underwriting"], ["documents", "underwriting", "approved"],
                                    ["documents", "underwriting", "declined"], ["documents", "underwriting", "approved", "disbursed"]]

    static func story(of customer: inout DemoCustomer, index: Int, writer: inout DemoWriter) {
        let chinese = customer.attributes["language"] == "zh-CN"
        let number = "DE89 3704 0044 \(String(532_013_000 + index * 7))"
        customer.records.append(DemoRecord(name: "account", type: "account",
                                           fields: ["number": .string(number), "kind": "current",
                                                    "balance": ["amount": .string("\(1_200 + index * 37).00"), "currency": "EUR"],
                                                    "opened_on": .string(writer.date(-400 - index * 3))], stages: []))
        customer.records.append(DemoRecord(name: "holding", type: "product_holding",
                                           fields: ["product": "current_account", "since": .string(writer.date(-400 - index * 3))],
                                           stages: [], references: ["account": "account"]))
        if index % 3 == 1 {
            customer.records.append(DemoRecord(name: "card", type: "product_holding",
                                               fields: ["product": "credit_card", "since": .string(writer.date(-90))], stages: []))
        }
        guard index % 4 != 3 else {
            customer.messages.append(DemoMessage(channel: .phone, kind: .call, direction: .inbound, subject: nil,
                                                 body: "Called to block a lost card; a new one is on its way.", occurredAt: writer.daysAgo(index % 6)))
            return
        }
        let purpose = purposes[index % purposes.count]
        let path = paths[index % paths.count]
        let online: (channel: ChannelKind, key: String) = index % 2 == 0 ? (.web, "web") : (.mobileApp, "app")
        var fields: JSONObject = ["amount": ["amount": .string("\(5 + index % 20)000.00"), "currency": "EUR"], "purpose": .string(purpose),
                                  "term_months": .integer(Int64(12 * (1 + index % 10))), "channel": .string(online.key),
                                  "documents_received": .bool(path.count >= 2)]
        if path.contains("approved") || path.contains("declined") {
            fields["decision_note"] = .string(path.contains("declined") ? "Income does not cover the instalments." : "Stable income; approved at 4.1%.")
        }
        customer.records.append(DemoRecord(name: "loan", type: "loan_application", fields: fields, stages: path))
        customer.messages.append(DemoMessage(channel: online.channel, kind: .formSubmission, direction: .inbound, subject: "Loan application",
                                             body: "Applied for a \(purpose) loan online.", occurredAt: writer.daysAgo(20 + index % 10)))
        if !path.isEmpty {
            customer.messages.append(DemoMessage(channel: .store, kind: .visit, direction: .inbound, subject: nil,
                                                 body: chinese ? "到网点补交了收入证明，继续在线上开始的贷款申请。"
                                                     : "Came to the branch with payslips to continue the application started online.",
                                                 occurredAt: writer.daysAgo(10 + index % 5)))
        }
        customer.messages.append(DemoMessage(channel: .email, kind: .email, direction: .inbound, subject: "Question about my application",
                                             body: "How long does underwriting usually take?", occurredAt: writer.daysAgo(index % 4)))
    }
}
