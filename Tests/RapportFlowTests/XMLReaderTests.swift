import RapportFlow
import Testing

@Suite("Reading XML")
struct XMLReaderTests {
    @Test("namespaces resolve by prefix and default, attributes without prefix have none, lines are counted")
    func namespaces() throws {
        let document = try XMLReader.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <a:root xmlns:a="urn:a" xmlns="urn:default" id="r">
              <child a:flag="yes" plain="1"/>
              <a:other>
                <inner xmlns="">text</inner>
              </a:other>
            </a:root>
            """)
        #expect(document.namespace == "urn:a" && document.localName == "root" && document.line == 3)
        #expect(document.attribute("id") == "r")
        let child = try #require(document.child("child", namespace: "urn:default"))
        #expect(child.line == 4)
        #expect(child.attribute("flag", namespace: "urn:a") == "yes")
        #expect(child.attribute("plain") == "1")
        let inner = try #require(document.child("other", namespace: "urn:a")?.child("inner", namespace: nil))
        #expect(inner.text == "text" && inner.line == 6)
    }

    @Test("entities, character references and CDATA become text; attribute whitespace becomes spaces")
    func text() throws {
        let document = try XMLReader.parse("<r a=\"x&#10;y\ttab&quot;\">&lt;b&gt; &amp; &#x4E2D;&#25991; <![CDATA[<raw> & ]]>end</r>")
        #expect(document.text == "<b> & 中文 <raw> & end")
        #expect(document.attribute("a") == "x\ny tab\"")
    }

    @Test("a malformed document is refused with its line and what is wrong", arguments: [
        ("<r>\n<a></b>\n</r>", 2, "</b> closes <a>"),
        ("<r>\n<x:a/>\n</r>", 2, "prefix x"),
        ("<!DOCTYPE r [<!ENTITY e \"boom\">]>\n<r>&e;</r>", 1, "document type declaration"),
        ("<r a=\"1\" a=\"2\"/>", 1, "appears twice"),
        ("<r>\n\n<a>", 3, "not closed"),
        ("<r>&nope;</r>", 1, "&nope; is not defined"),
        ("<r/><r/>", 1, "after the root"),
        ("<r a=1/>", 1, "quoted"),
        ("", 1, "no root element"),
    ])
    func malformed(text: String, line: Int, fragment: String) {
        do {
            _ = try XMLReader.parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
    }

    @Test("nesting deeper than the limit is refused instead of exhausting the stack")
    func depth() {
        let text = String(repeating: "<a>", count: XMLReader.maxDepth + 1) + String(repeating: "</a>", count: XMLReader.maxDepth + 1)
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(text) }
    }
}
