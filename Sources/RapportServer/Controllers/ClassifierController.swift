import Hummingbird
import RapportCore
import RapportStore
import RapportSync

/// `/v1/classifier`: the content model that predicts a message's department or intent.
struct ClassifierController<Routing: RoutingStore> {
    let routing: Routing
    let services: Services
    /// The router, whose caches answer predictions, dry runs and status.
    let router: ConversationRouter

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "classifier", show)
        routes.on(.post, "classifier/train", train)
        routes.on(.post, "classifier/predict", predict)
    }

    /// Every trained version (newest first) with what training reported.
    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let versions = try await routing.classifierModelVersions()
        return .json(["current_version": versions.first?.objectValue?["version"] ?? .null, "versions": .array(versions)])
    }

    /// Trains from `examples` in the body, or from resolved conversations labelled with the
    /// department (and queue) that handled them; the new version routes from then on.
    @Sendable func train(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let body = try await request.optionalJSONBody(limit: services.configuration.trainingBodyBytes).value
        let training = try ClassifierTrainingRequest.read(body)
        let stored = try await ClassifierTraining.train(routing: routing, writer: services.writer, examples: training.examples,
                                                        historyLimit: training.historyLimit, actor: principal.actor)
        return .json(stored.json, status: .created)
    }

    /// The prediction for `text` of the model routing uses now.
    @Sendable func predict(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        var reader = try InputReader(try await request.jsonBody(limit: services.configuration.maxBodyBytes).value)
        let text = reader.string("text", required: true, maxLength: NewInteraction.maxBodyLength)
        try reader.finish()
        guard let prediction = try await router.predict(text ?? "") else {
            throw StoreError(.notFound, "no classifier has been trained yet; POST /v1/classifier/train")
        }
        return .json(prediction.json)
    }
}
