import RapportCore
import Testing

/// CEL list filters translated into conditions the database runs: what translates, in what form
/// the values are compared, and how what does not translate is refused (with its place).
@Suite("List filters")
struct ListFilterTests {
    let schema: ListFilterSchema = {
        var schema = ListFilterSchema()
        schema.paths["customer_id"] = FilterablePath(column: "customer_id", kind: .text)
        schema.paths["created_at"] = FilterablePath(column: "created_at", kind: .timeColumn)
        schema.paths["fields.status"] = FilterablePath(column: "fields", members: ["status"], kind: .text)
        schema.paths["fields.seats"] = FilterablePath(column: "fields", members: ["seats"], kind: .number)
        schema.paths["fields.hot"] = FilterablePath(column: "fields", members: ["hot"], kind: .boolean)
        schema.paths["fields.tags"] = FilterablePath(column: "fields", members: ["tags"], kind: .textList)
        schema.paths["fields.due"] = FilterablePath(column: "fields", members: ["due"], kind: .instantText)
        schema.paths["fields.amount"] = FilterablePath(column: "fields", members: ["amount"], kind: .document)
        schema.hints["fields.amount"] = "fields.amount is an amount of money: compare fields.amount.amount or fields.amount.currency"
        return schema
    }()

    func path(_ name: String) -> FilterablePath { schema.paths[name]! }

    @Test("comparisons, lists, presence, text matches and booleans translate; a value on the left is turned around")
    func translates() throws {
        #expect(try ListFilter.translate(#"fields.status == "won" && (fields.seats > 2 || 10 <= fields.seats)"#, schema: schema) == .all([
            .compare(path("fields.status"), .equal, "won"),
            .any([.compare(path("fields.seats"), .greater, 2), .compare(path("fields.seats"), .greaterEqual, 10)]),
        ]))
        #expect(try ListFilter.translate(#"fields["status"] in ["a", "b"]"#, schema: schema) == .oneOf(path("fields.status"), ["a", "b"]))
        #expect(try ListFilter.translate(#""vip" in fields.tags && !fields.hot"#, schema: schema)
                == .all([.listContains(path("fields.tags"), "vip"), .not(.compare(path("fields.hot"), .equal, true))]))
        #expect(try ListFilter.translate("has(fields.amount) && fields.seats != null && fields.seats > -1.5", schema: schema)
                == .all([.present(path("fields.amount")), .present(path("fields.seats")), .compare(path("fields.seats"), .greater, .double(-1.5))]))
        #expect(try ListFilter.translate(#"customer_id.startsWith("cus_") || fields.status.contains("o")"#, schema: schema)
                == .any([.text(path("customer_id"), .startsWith, "cus_"), .text(path("fields.status"), .contains, "o")]))
        // Times: RFC 3339 text read as a time, in the column's microseconds or the stored text form.
        #expect(try ListFilter.translate(#"created_at >= "2026-12-04T10:00:00+01:00""#, schema: schema)
                == .compare(path("created_at"), .greaterEqual, .integer(Timestamp(rfc3339: "2026-12-04T09:00:00Z")!.microseconds)))
        #expect(try ListFilter.translate(#"fields.due < "2026-12-04T10:00:00+01:00""#, schema: schema)
                == .compare(path("fields.due"), .less, .string(Timestamp(rfc3339: "2026-12-04T09:00:00Z")!.rfc3339)))
        #expect(try ListFilter.translate("true", schema: schema) == .constant(true))
    }

    @Test("what does not translate is refused with its line and column, saying what would")
    func refuses() {
        func message(_ source: String) -> String {
            do { _ = try ListFilter.translate(source, schema: schema); return "accepted" } catch { return error.description }
        }
        #expect(message("fields.nope == 1").hasPrefix("1:1: fields.nope is not something this list can filter on"))
        #expect(message("fields.amount > 3") == "1:1: fields.amount is an amount of money: compare fields.amount.amount or fields.amount.currency")
        #expect(message(#"fields.seats == "two""#).hasPrefix("1:17: expected a number to compare with"))
        #expect(message("size(fields.tags) > 1").hasPrefix("1:1: compare a field with a value written out"))
        #expect(message("fields.seats > fields.seats").hasPrefix("1:1: compare a field with a value"))
        #expect(message(#"fields.tags == "vip""#).hasPrefix("1:1: fields.tags is a list"))
        #expect(message("fields.hot > true").hasPrefix("1:14: true and false can only be compared with == or !="))
        #expect(message(#"created_at > "yesterday""#).hasPrefix("1:14: expected a time"))
        #expect(message("fields.seats + 1 > 2").contains("compare a field with a value"))
        #expect(message("fields.status.matches(\"x\")").hasPrefix("1:1: matches() cannot be used in a list filter"))
        #expect(message("fields.status ==").hasPrefix("1:"))
        #expect(message(String(repeating: "a", count: 5_000)).hasPrefix("1:1: the filter is too long"))
    }

    @Test("an open column's members take the kind of the value they are compared with; other values are refused")
    func openColumns() throws {
        var schema = ListFilterSchema()
        schema.openColumns = ["attributes"]
        func member(_ name: String, _ kind: FilterValueKind) -> FilterablePath { FilterablePath(column: "attributes", members: [name], kind: kind) }
        #expect(try ListFilter.translate(#"attributes.interest == "solar" && attributes.vip"#, schema: schema)
                == .all([.compare(member("interest", .text), .equal, "solar"), .compare(member("vip", .boolean), .equal, true)]))
        #expect(try ListFilter.translate(#"attributes.tier in ["gold", "silver"] || "x" in attributes.tags || has(attributes.since)"#, schema: schema)
                == .any([.oneOf(member("tier", .text), ["gold", "silver"]), .listContains(member("tags", .textList), "x"), .present(member("since", .text))]))
        #expect(throws: ExpressionError.self) { try ListFilter.translate("attributes.score > 5", schema: schema) }
        #expect(throws: ExpressionError.self) { try ListFilter.translate(#"attributes["a b"] == "x""#, schema: schema) }
        #expect(throws: ExpressionError.self) { try ListFilter.translate(#"extras.a == "x""#, schema: schema) }
    }

    @Test("records.<type>.exists(r, …) translates the condition against the type's schema, through the variable")
    func relatedRecords() throws {
        var customers = ListFilterSchema()
        customers.paths["name"] = FilterablePath(column: "name", kind: .text)
        customers.relatedRecords["deal"] = schema
        #expect(try ListFilter.translate(#"name == "Ana" && records.deal.exists(d, d.fields.status == "won" && d.fields.seats > 2)"#,
                                         schema: customers)
                == .all([.compare(FilterablePath(column: "name", kind: .text), .equal, "Ana"),
                         .hasRecord("deal", .all([.compare(path("fields.status"), .equal, "won"), .compare(path("fields.seats"), .greater, 2)]))]))
        #expect(try ListFilter.translate(#"!records.deal.exists(d, d.fields.hot)"#, schema: customers).recordTypesAsked == ["deal"])
        for (source, message) in [
            (#"records.ship.exists(s, s.fields.status == "x")"#, "there is no record type ship (records.deal)"),
            (#"records.deal.exists(d, fields.status == "won")"#, "named through d"),
            (#"records.deal.exists(d, d.name == "Ana")"#, "name is not something this list can filter on"),
            (#"records.deal.exists(d.fields.hot)"#, "write records.deal.exists(r, condition on r)"),
        ] {
            #expect(throws: ExpressionError.self, "\(source)") { try ListFilter.translate(source, schema: customers) }
            do { _ = try ListFilter.translate(source, schema: customers) } catch {
                #expect(error.message.contains(message) || error.description.contains(message), "\(source): \(error)")
            }
        }
    }
}
