/// The story's customers: names from several places (Simplified Chinese among them), each with an
/// email, a phone number and, for some, a WeChat handle.
enum DemoPeople {
    static let given = ["Ana", "Ben", "Chloé", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Kavya", "Liam",
                        "Maya", "Noah", "Olivia", "Pedro", "Quinn", "Rosa", "Samir", "Tara"]
    static let family = ["Silva", "Müller", "Dubois", "Okafor", "Rossi", "Haddad", "Kim", "Tanaka", "García", "Novak", "Iyer",
                         "O'Brien", "Cohen", "Andersen", "Nguyen", "Costa", "Walker", "Fischer", "Mensah", "Larsen"]
    static let chinese: [(family: String, given: String, latin: String)] = [
        ("王", "芳", "wang.fang"), ("李", "娜", "li.na"), ("张", "伟", "zhang.wei"), ("刘", "洋", "liu.yang"), ("陈", "静", "chen.jing"),
        ("杨", "磊", "yang.lei"), ("赵", "敏", "zhao.min"), ("黄", "婷", "huang.ting"), ("周", "杰", "zhou.jie"), ("吴", "霞", "wu.xia"),
    ]
    static let stages: [LifecycleStage] = [.lead, .customer, .customer, .opportunity, .subscriber, .customer, .evangelist, .lead]

    static func customer(_ index: Int) -> DemoCustomer {
        let stage = stages[index % stages.count]
        let segment: JSONValue = index % 3 == 0 ? "premium" : "standard"
        let phone = "+1 415 555 \(String(1_000 + index).suffix(4))"
        if index % 4 == 3 {
            let person = chinese[(index / 4) % chinese.count]
            let number = index / (4 * chinese.count)
            let handle = person.latin + (number == 0 ? "" : String(number))
            return DemoCustomer(name: person.family + person.given, givenName: person.given, familyName: person.family,
                                email: "\(handle)@example.cn", phone: phone, social: "wechat_\(handle.replacingOccurrences(of: ".", with: "_"))",
                                lifecycleStage: stage, attributes: ["segment": segment, "language": "zh-CN"])
        }
        let given = given[index % given.count]
        let family = family[(index * 7 + index / given.count) % family.count]
        let handle = "\(given).\(family)".lowercased().filter { $0.isASCII && ($0.isLetter || $0 == ".") } + String(index)
        return DemoCustomer(name: "\(given) \(family)", givenName: given, familyName: family, email: "\(handle)@example.com", phone: phone,
                            social: index % 5 == 0 ? "wechat_\(handle.replacingOccurrences(of: ".", with: "_"))" : nil,
                            lifecycleStage: stage, attributes: ["segment": segment, "language": "en"])
    }
}

/// The company's people, and the notes and handoffs they leave on customers.
enum DemoColleagues {
    static let all: [DemoColleague] = [
        DemoColleague(name: "Sofia Reyes", email: "sofia.reyes@rapport.demo", department: "sales", role: .manager),
        DemoColleague(name: "Tom Becker", email: "tom.becker@rapport.demo", department: "sales", role: .agent),
        DemoColleague(name: "李娜", email: "li.na@rapport.demo", department: "service", role: .manager),
        DemoColleague(name: "Omar Aziz", email: "omar.aziz@rapport.demo", department: "service", role: .agent),
        DemoColleague(name: "Julia Park", email: "julia.park@rapport.demo", department: "marketing", role: .agent),
        DemoColleague(name: "陈明", email: "chen.ming@rapport.demo", department: "finance", role: .agent),
    ]

    static func colleague(in department: String, _ index: Int) -> DemoColleague {
        let members = all.filter { $0.department == department }
        return members[index % members.count]
    }

    static func notesAndHandoffs(for customer: inout DemoCustomer, index: Int, scenario: DemoStory.Scenario) {
        let chinese = customer.attributes["language"] == "zh-CN"
        if index % 3 == 0 {
            let author = colleague(in: "service", index)
            customer.notes.append(DemoNote(author: author.email, body: chinese
                ? "客户更喜欢在工作日下午五点后接电话。" : "Prefers a call after 5 pm on weekdays; email for anything written.",
                pinned: index % 6 == 0))
        }
        if index % 4 == 1 {
            let author = colleague(in: "sales", index)
            let need = switch scenario {
            case .ecommerce: "Asked about bulk pricing for the office — worth a quote."
            case .banking: "Interested in moving savings into an investment fund."
            case .travel: "Plans a family trip every summer; send early offers."
            }
            customer.notes.append(DemoNote(author: author.email, body: "@service \(need)", pinned: false))
        }
        if index % 5 == 2 {
            let requester = colleague(in: "service", index)
            customer.handoffs.append(DemoHandoff(kind: .upsellLead, from: "service", to: "sales",
                                                 reason: "Happy with the last answer and asked what else we offer.",
                                                 requestedBy: requester.email,
                                                 acceptedBy: index % 10 == 2 ? colleague(in: "sales", index).email : nil))
        }
        if index % 7 == 4 {
            let requester = colleague(in: "service", index + 1)
            customer.handoffs.append(DemoHandoff(kind: .feedback, from: "service", to: "sales",
                                                 reason: chinese ? "客户对上次的报价不满意，请销售回电。" : "Found the last quote too high; please call back.",
                                                 requestedBy: requester.email, acceptedBy: nil))
        }
        if index % 9 == 5 {
            let requester = colleague(in: "sales", index)
            customer.handoffs.append(DemoHandoff(kind: .customerNeeds, from: "sales", to: "marketing",
                                                 reason: "Would join a loyalty campaign; interested in early offers.",
                                                 requestedBy: requester.email, acceptedBy: colleague(in: "marketing", index).email))
        }
    }
}
