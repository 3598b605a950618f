/// E-commerce: a cart started on one channel and continued on another, orders with shipments, a
/// return, and the questions that come with them.
enum DemoEcommerce {
    static let products: [(name: String, sku: String, price: String)] = [
        ("Trail running shoes", "SH-TR-42", "129.00"), ("Rain jacket", "JK-RN-M", "89.90"), ("Espresso machine", "KT-ES-01", "349.00"),
        ("Wireless headphones", "AU-WH-20", "199.00"), ("Yoga mat", "SP-YM-06", "35.50"), ("Desk lamp", "HM-DL-3", "59.00"),
    ]

    static func story(of customer: inout DemoCustomer, index: Int, writer: inout DemoWriter) {
        let product = products[index % products.count]
        let chinese = customer.attributes["language"] == "zh-CN"
        let started: (channel: ChannelKind, key: String) = [(.web, "web"), (.mobileApp, "app"), (.store, "store")][index % 3]
        let continued: (channel: ChannelKind, key: String) = [(.mobileApp, "app"), (.store, "store"), (.web, "web")][index % 3]
        customer.messages.append(DemoMessage(channel: started.channel, kind: .pageView, direction: .inbound, subject: nil,
                                             body: "Added \(product.name) to the cart", occurredAt: writer.daysAgo(12 + index % 9)))
        customer.messages.append(DemoMessage(channel: continued.channel, kind: .message, direction: .inbound, subject: nil,
                                             body: chinese ? "我在网站上把\(product.name)加入了购物车，现在想在这里继续结账。"
                                                 : "I started a cart on the \(started.key) with the \(product.name.lowercased()) — can I finish it here?",
                                             occurredAt: writer.daysAgo(8 + index % 5)))
        let total: JSONValue = ["amount": .string(product.price), "currency": "EUR"]
        var cart = DemoRecord(name: "cart", type: "cart", fields: ["started_on": .string(started.key), "last_channel": .string(continued.key),
                                                                   "total": total], stages: [])
        switch index % 4 {
        case 0, 1:
            let number = "ORD-\(24_000 + index)"
            let orderStages: [String] = [["paid", "fulfilled"], ["paid"], [], ["cancelled"]][index % 4 == 0 ? (index / 4) % 4 : 1]
            customer.records.append(DemoRecord(name: "order", type: "order",
                                               fields: ["number": .string(number), "ordered_on": .string(writer.date(-7 - index % 5)),
                                                        "total": total, "channel": .string(continued.key)],
                                               stages: orderStages))
            cart.stages = ["checked_out"]
            cart.references = ["order": "order"]
            customer.records.append(cart)
            customer.messages.append(DemoMessage(channel: .email, kind: .email, direction: .outbound, subject: "Your order \(number)",
                                                 body: "Thank you for your order \(number). We will let you know when it ships.",
                                                 occurredAt: writer.daysAgo(7)))
            if orderStages.contains("paid") {
                let shipped = index % 3 != 0
                var shipment = DemoRecord(name: "shipment", type: "shipment",
                                          fields: ["carrier": "DHL", "tracking_number": .string("JD0149\(80_000 + index)"),
                                                   "shipped_on": .string(writer.date(-5))],
                                          stages: shipped ? ["shipped", "delivered"] : [], references: ["order": "order"])
                if shipped { shipment.fields["delivered_on"] = .string(writer.date(-2)) }
                customer.records.append(shipment)
            }
            if index % 8 == 0 {
                customer.messages.append(DemoMessage(channel: .phone, kind: .call, direction: .inbound, subject: nil,
                                                     body: "Called: the \(product.name.lowercased()) arrived damaged and they want to return it.",
                                                     occurredAt: writer.daysAgo(1)))
                customer.records.append(DemoRecord(name: "return", type: "return",
                                                   fields: ["reason": "damaged", "refund": total],
                                                   stages: ["approved"], references: ["order": "order"]))
            } else {
                customer.messages.append(DemoMessage(channel: .chat, kind: .message, direction: .inbound, subject: nil,
                                                     body: chinese ? "请问我的订单\(number)什么时候发货？" : "Where is my order \(number)?",
                                                     occurredAt: writer.daysAgo(index % 3)))
            }
        case 2:
            cart.stages = []
            customer.records.append(cart)
        default:
            cart.stages = ["abandoned"]
            customer.records.append(cart)
            customer.messages.append(DemoMessage(channel: .email, kind: .email, direction: .outbound, subject: "Still thinking it over?",
                                                 body: "Your \(product.name.lowercased()) is waiting in your cart.", occurredAt: writer.daysAgo(3)))
        }
    }
}
