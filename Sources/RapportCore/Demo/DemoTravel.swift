/// Travel: itineraries of hotel, flight and activity bookings, some changed by phone or cancelled
/// by email, with the itinerary's dates and total following its bookings.
enum DemoTravel {
    static let places = ["Lisbon", "Kyoto", "上海", "Reykjavík", "Cape Town", "Lima"]

    static func story(of customer: inout DemoCustomer, index: Int, writer: inout DemoWriter) {
        let place = places[index % places.count]
        let chinese = customer.attributes["language"] == "zh-CN"
        let start = 10 + index % 40
        customer.records.append(DemoRecord(name: "trip", type: "itinerary", fields: ["name": .string("\(customer.givenName) in \(place)")], stages: []))
        let channel = ["web", "app", "agency", "email"][index % 4]
        func booking(_ kind: String, _ offset: Int, _ nights: Int, _ price: String, stages: [String], note: String? = nil) -> DemoRecord {
            var fields: JSONObject = ["kind": .string(kind), "reference": .string("\(kind.prefix(1).uppercased())\(90_000 + index * 3 + offset)"),
                                      "starts_at": .string(writer.time(start + offset, hour: 9 + offset)),
                                      "ends_at": .string(writer.time(start + offset + nights, hour: 11)), "destination": .string(place),
                                      "price": ["amount": .string(price), "currency": "EUR"], "travellers": .integer(Int64(1 + index % 3)),
                                      "channel": .string(channel)]
            if let note { fields["change_note"] = .string(note) }
            return DemoRecord(name: "\(kind)\(offset)", type: "booking", fields: fields, stages: stages, references: ["itinerary": "trip"])
        }
        let stage: [String] = [["confirmed"], ["confirmed", "completed"], [], ["confirmed"]][index % 4]
        customer.records.append(booking("flight", 0, 0, "420.00", stages: stage))
        customer.records.append(booking("hotel", 0, 4, "\(380 + index * 5).00", stages: stage))
        if index % 3 == 0 {
            customer.records.append(booking("activity", 2, 0, "65.00", stages: ["confirmed", "changed"], note: "Moved to the afternoon by phone."))
            customer.messages.append(DemoMessage(channel: .phone, kind: .call, direction: .inbound, subject: nil,
                                                 body: chinese ? "来电把\(place)的活动改到下午。" : "Called to move the \(place) tour to the afternoon.",
                                                 occurredAt: writer.daysAgo(2)))
        }
        if index % 5 == 4 {
            customer.records.append(booking("activity", 3, 0, "80.00", stages: ["cancelled"]))
            customer.messages.append(DemoMessage(channel: .email, kind: .email, direction: .inbound, subject: "Cancel the boat trip",
                                                 body: "Please cancel the boat trip; the rest of the plan stays.", occurredAt: writer.daysAgo(1)))
        }
        customer.messages.append(DemoMessage(channel: index % 2 == 0 ? .web : .mobileApp, kind: .purchase, direction: .inbound,
                                             subject: "Booking", body: "Booked a flight and a hotel in \(place).",
                                             occurredAt: writer.daysAgo(30 + index % 20)))
        customer.messages.append(DemoMessage(channel: .chat, kind: .message, direction: .inbound, subject: nil,
                                             body: chinese ? "请问酒店可以提前入住吗？" : "Can we check in early at the hotel in \(place)?",
                                             occurredAt: writer.daysAgo(index % 5)))
    }
}
