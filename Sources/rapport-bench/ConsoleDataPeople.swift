import RapportCore

/// The made-up people and messages of the console benchmark's store: deterministic by number, so
/// that the manifest can name what a run will find. One in ten has a Chinese name.
struct ConsoleDataPeople: Sendable {
    struct Person: Sendable {
        let name: String
        let email: String
        /// E.164, as stored.
        let phone: String
        /// The same number as a person types it.
        let phoneAsTyped: String
        let company: String
    }

    static let given = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
                        "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Ana", "Lucas",
                        "Sofia", "Noah", "Emma", "Liam", "Olivia", "Mateo", "Chloe", "Ethan", "Amara", "Yusuf"]
    static let syllables = ["an", "ber", "cal", "dor", "el", "fen", "gar", "hol", "ing", "jor", "kel", "lan", "mor", "nov",
                            "ost", "par", "quin", "ros", "sten", "tal", "ul", "ver", "wen", "yor", "zan", "bro", "cha", "dri"]
    static let chineseFamily = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"]
    static let chineseGiven = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"]
    static let companies = ["Acme", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises", "Hooli",
                            "Vandelay Industries", "Soylent", "Tyrell", "北京星辰科技", "上海远航贸易", "Cyberdyne", "Wonka",
                            "Aperture", "Pied Piper"]

    /// Person `number`; number 0 has the phone (415) 555-0100.
    func person(_ number: Int) -> Person {
        let family = Self.syllables[number % Self.syllables.count] + Self.syllables[(number / 7) % Self.syllables.count]
        let givenName = Self.given[(number / 3) % Self.given.count]
        let name: String
        if number % 10 == 9 {
            name = Self.chineseFamily[(number / 10) % Self.chineseFamily.count] + Self.chineseGiven[(number / 3) % Self.chineseGiven.count]
                + Self.chineseGiven[(number / 17) % Self.chineseGiven.count]
        } else {
            name = givenName + " " + family.prefix(1).uppercased() + family.dropFirst()
        }
        let email = "\(givenName.lowercased()).\(family).\(number)@example.com"
        let (phone, typed): (String, String)
        if number == 0 {
            (phone, typed) = ("+14155550100", "(415) 555-0100")
        } else {
            // 212-2XX-XXXX onwards: distinct for every number below eight million.
            let exchange = 200 + number / 10_000
            let line = number % 10_000
            let lineText = String(repeating: "0", count: 4 - String(line).count) + String(line)
            (phone, typed) = ("+1212\(exchange)\(lineText)", "(212) \(exchange)-\(lineText)")
        }
        return Person(name: name, email: email, phone: phone, phoneAsTyped: typed,
                      company: Self.companies[(number / 5) % Self.companies.count])
    }
}

/// What the benchmark's customers write, in English and Chinese.
struct ConsoleDataMessages: Sendable {
    static let bodies = [
        "Hello, my order has not arrived yet. Could you check where it is?",
        "I would like to change the delivery address for my last order.",
        "Thanks for the quick help yesterday, everything works now.",
        "Can I get a refund for the damaged item? Photos attached.",
        "What are your opening hours over the holidays?",
        "I was charged twice for the same invoice this month.",
        "Please cancel my subscription at the end of this period.",
        "您好，我的订单还没有到，请帮我查一下物流。",
        "我想修改收货地址，谢谢。",
        "发票金额不对，请核实一下。",
    ]

    /// An ordinary interaction of `customer` some time in the last `daysBack` days.
    func interaction(_ number: Int, customer: String, channel: Channel, daysBack: Int) -> NewInteraction {
        let microsBack = Int64((number &* 104_729) % (daysBack * 86_400)) * 1_000_000
        let outbound = number % 3 == 2
        return NewInteraction(channelID: channel.id, party: .customer(customer),
                              direction: outbound ? .outbound : .inbound,
                              kind: channel.kind == .phone ? .call : (channel.kind == .email ? .email : .message),
                              subject: channel.kind == .email ? "Order \(10_000 + number % 90_000)" : nil,
                              body: outbound ? "Thank you for reaching out; we are looking into it." : Self.bodies[number % Self.bodies.count],
                              occurredAt: Timestamp(microseconds: Timestamp.now().microseconds - microsBack))
    }

    /// A new support chat message, now.
    func supportRequest(_ number: Int, customer: String, channel: Channel) -> NewInteraction {
        NewInteraction(channelID: channel.id, party: .customer(customer), kind: .message,
                       body: Self.bodies[number % Self.bodies.count])
    }
}
