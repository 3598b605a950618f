/// Decoding of Punycode (RFC 3492), the ASCII form of internationalized domain labels (`xn--…`).
///
/// Email domains are stored in Unicode, so `ana@xn--mnchen-3ya.de` and `ana@münchen.de` must become the same string.
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// The Unicode label for the Punycode text after `xn--`, or nil if it is not valid Punycode.
    static func decode(_ encoded: some StringProtocol) -> String? {
        let scalars = Array(encoded.unicodeScalars)
        guard scalars.allSatisfy(\.isASCII) else { return nil }
        var output: [Unicode.Scalar] = []
        var deltas = scalars[...]
        if let lastDelimiter = scalars.lastIndex(of: "-") {
            output = Array(scalars[..<lastDelimiter])
            deltas = scalars[(lastDelimiter + 1)...]
        }
        var n = initialN
        var i = 0
        var bias = initialBias
        var position = deltas.startIndex
        while position < deltas.endIndex {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < deltas.endIndex, let digit = digitValue(deltas[position]) else { return nil }
                position += 1
                let (product, productOverflow) = digit.multipliedReportingOverflow(by: weight)
                let (sum, sumOverflow) = i.addingReportingOverflow(product)
                guard !productOverflow, !sumOverflow else { return nil }
                i = sum
                let threshold = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < threshold { break }
                let (nextWeight, weightOverflow) = weight.multipliedReportingOverflow(by: base - threshold)
                guard !weightOverflow else { return nil }
                weight = nextWeight
                k += base
            }
            let length = output.count + 1
            bias = adapt(delta: i - oldI, length: length, first: oldI == 0)
            let (nextN, nOverflow) = n.addingReportingOverflow(i / length)
            guard !nOverflow, nextN < 0x11_0000, let scalar = Unicode.Scalar(UInt32(nextN)), !scalar.isASCII else {
                return nil
            }
            n = nextN
            i %= length
            output.insert(scalar, at: i)
            i += 1
        }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: output)
        return String(result)
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar {
        case "a"..."z": Int(scalar.value - 97)
        case "A"..."Z": Int(scalar.value - 65)
        case "0"..."9": Int(scalar.value - 48) + 26
        default: nil
        }
    }

    private static func adapt(delta: Int, length: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / length
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
