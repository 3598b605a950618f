import RapportCore
import Testing

/// The templates' definitions are record type definitions like any other: each reads without a
/// problem, and each reference names a type the template (or one it requires) defines.
@Suite("Record templates")
struct RecordTemplateTests {
    let context = FieldValueContext(normalizer: try! IdentityNormalizer(defaultRegion: "DE"))

    @Test("every template reads, and its references point at types it installs", arguments: RecordTemplates.all.map(\.name))
    func reads(name: String) throws {
        let template = try #require(RecordTemplates.named(name))
        let installed = try RecordTemplates.withRequirements(template).flatMap { try $0.drafts(context: context) }
        #expect(Set(installed.map(\.key)).count == installed.count, "a type is defined twice")
        let keys = Set(installed.map(\.key))
        for draft in installed {
            for field in draft.fields {
                if case .record(let target)? = field.target {
                    #expect(keys.contains(target), "\(draft.key).\(field.key) refers to \(target), which \(name) does not install")
                }
            }
            for stage in draft.stages {
                for required in stage.requiredFields { #expect(draft.fields.contains { $0.key == required }) }
            }
        }
        #expect(RecordTemplates.withRequirements(template).last?.name == name)
    }

    @Test("a template's requirements come first, each once")
    func requirements() throws {
        let ecommerce = try #require(RecordTemplates.named("ecommerce"))
        #expect(RecordTemplates.withRequirements(ecommerce).map(\.name) == ["sales", "finance", "ecommerce"])
    }
}
