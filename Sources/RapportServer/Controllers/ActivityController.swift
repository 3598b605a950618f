import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/customers/{id}/activity`: the customer's timeline with the internal side mixed in — its
/// interactions, the notes the caller may see, the steps of handoffs about it, and its business
/// records when the caller may read records — in one order with one cursor.
struct ActivityController<Customers: CustomerStore, Interactions: InteractionStore, Notes: NoteStore, Handoffs: HandoffStore,
                          Records: RecordStore> {
    let customers: Customers
    let interactions: Interactions
    let notes: Notes
    let handoffs: Handoffs
    let records: Records

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "customers/:id/activity", query: ["order", "limit", "cursor"], activity)
    }

    @Sendable func activity(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        let asked = try context.parameters.require("id")
        guard let customer = try await customers.customer(asked) else { throw StoreError.notFound("customer", asked) }
        let id = customer.mergedInto ?? asked
        let newestFirst: Bool
        switch try request.query("order") ?? "desc" {
        case "asc": newestFirst = false
        case "desc": newestFirst = true
        default: throw Problem.badRequest(field: "order", "must be asc or desc")
        }
        let limit = try request.limit(max: 200)
        let cursor = try request.query("cursor")
        let readsRecords = principal.role.allows(.readRecords)
        async let timeline = interactions.timeline(of: id, newestFirst: newestFirst, limit: limit, cursor: cursor)
        async let written = notes.notes(customerID: id, conversationID: nil, pinned: nil, containing: nil, readerDepartmentID: principal.departmentID,
                                        newestFirst: newestFirst, limit: limit, cursor: cursor)
        async let handed = handoffs.steps(customerID: id, newestFirst: newestFirst, limit: limit, cursor: cursor)
        async let kept = readsRecords ? records.records(customerID: id, newestFirst: newestFirst, limit: limit, cursor: cursor)
            : Page(items: [], nextCursor: nil)
        let (interactionPage, notePage, stepPage, recordPage) = try await (timeline, written, handed, kept)
        let merged = ActivityEntry.merge(interactions: interactionPage.items, moreInteractions: interactionPage.nextCursor != nil,
                                         notes: notePage.items, moreNotes: notePage.nextCursor != nil,
                                         handoffSteps: stepPage.items, moreHandoffSteps: stepPage.nextCursor != nil,
                                         records: recordPage.items, moreRecords: recordPage.nextCursor != nil,
                                         newestFirst: newestFirst, limit: limit)
        let next = merged.more ? merged.entries.last.map { ListCursor.encode($0.time.microseconds, $0.id) } : nil
        return .page(Page(items: merged.entries, nextCursor: next), \.json)
    }
}
