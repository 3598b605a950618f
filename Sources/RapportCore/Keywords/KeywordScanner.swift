extension KeywordMatcher {
    /// Runs the automaton over `text` once, handing every accepted match to `sink`.
    func scan<Sink: KeywordMatchSink>(_ text: String, into sink: inout Sink) {
        guard !automaton.entries.isEmpty else { return }
        var text = text
        text.makeContiguousUTF8()
        _ = text.utf8.withContiguousStorageIfAvailable { bytes in
            var scanner = KeywordScanner(automaton: automaton)
            scanner.run(bytes, into: &sink)
        }
    }
}

/// One pass of a `KeywordAutomaton` over the UTF-8 of a text, normalizing as it goes.
///
/// ASCII is lower-cased through the byte classes and fed straight in; other scalars are
/// normalized a segment at a time (see `KeywordSegment`). Positions in the normalized stream
/// map back to the original through checkpoints kept for each segment whose output differs in
/// length from its input; between checkpoints the two advance together. Only the last few
/// checkpoints are kept, enough to reach back over the longest term.
struct KeywordScanner {
    /// A segment whose normalized bytes `n0..<n1` came from original bytes `p0..<p1`.
    struct Checkpoint {
        var n0 = 0, n1 = 0, p0 = 0, p1 = 0
    }

    let automaton: KeywordAutomaton
    let table = KeywordFoldTable.shared
    private var ring: [Checkpoint]
    private let ringMask: Int
    private var checkpointCount = 0
    /// A byte offset and its scalar offset, moved forward as matches are reported.
    private var cursorByte = 0
    private var cursorScalar = 0

    init(automaton: KeywordAutomaton) {
        self.automaton = automaton
        // Enough for every checkpoint a match of the longest term can reach back over: at most
        // one non-empty and one (merged) empty checkpoint per normalized byte, and one before.
        var size = 16
        while size < 2 * automaton.maxLength + 8 { size <<= 1 }
        ring = [Checkpoint](repeating: Checkpoint(), count: size)
        ringMask = size - 1
    }

    mutating func run<Sink: KeywordMatchSink>(_ bytes: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        let dense = automaton.dense
        let states = automaton.states
        let classes = automaton.byteClass
        dense.withUnsafeBufferPointer { dense in
            states.withUnsafeBufferPointer { states in
                classes.withUnsafeBufferPointer { classes in
                    run(bytes, dense: dense.baseAddress!, states: states.baseAddress!, classes: classes.baseAddress!, into: &sink)
                }
            }
        }
    }

    // The hot loop: pointers instead of arrays keep bounds checks out of it.
    private mutating func run<Sink: KeywordMatchSink>(
        _ bytes: UnsafeBufferPointer<UInt8>, dense: UnsafePointer<UInt32>, states: UnsafePointer<KeywordAutomaton.State>,
        classes: UnsafePointer<UInt8>, into sink: inout Sink
    ) {
        let denseEnd = automaton.denseEnd
        let sparseBase = automaton.sparseBase
        let reportBit = KeywordAutomaton.reportBit

        // States are handled by code (see `KeywordAutomaton.code(of:)`); the result has
        // `reportBit` set when the target reports terms.
        @inline(__always)
        func step(_ state: UInt32, _ byte: UInt8) -> UInt32 {
            let symbol = classes[Int(byte)]
            if symbol == 0 { return 0 }
            var state = state
            while state >= denseEnd {
                let current = states[Int(state &- sparseBase)]
                var child = Int(current.firstChild)
                let end = child &+ Int(current.childCount)
                while child < end {
                    if states[child].label == symbol { return (UInt32(child) &+ sparseBase) | (states[child].reports ? reportBit : 0) }
                    child &+= 1
                }
                state = current.fail
            }
            return dense[Int(state) &+ Int(symbol)]
        }

        let count = bytes.count
        let text = bytes.baseAddress!
        var state: UInt32 = 0
        var position = 0
        // Original minus normalized offset since the last checkpoint.
        var shift = 0
        while position < count {
            // Runs of ASCII: a byte can go in alone when the next one is ASCII too (otherwise it
            // may be a combining mark that belongs with it).
            while position &+ 1 < count {
                let byte = text[position]
                if byte | text[position &+ 1] >= 0x80 { break }
                let transition = step(state, byte)
                state = transition & ~reportBit
                position &+= 1
                if transition >= reportBit { report(state, normalizedEnd: position &- shift, bytes, into: &sink) }
            }
            guard position < count else { break }

            let segment = table.segment(at: position, in: bytes)
            switch segment.output {
            case .unchanged:
                for offset in position..<segment.end {
                    let transition = step(state, text[offset])
                    state = transition & ~reportBit
                    if transition >= reportBit { report(state, normalizedEnd: offset + 1 - shift, bytes, into: &sink) }
                }
            case .sameWidth(let start, let length):
                for offset in 0..<length {
                    let transition = step(state, table.pool[start + offset])
                    state = transition & ~reportBit
                    if transition >= reportBit { report(state, normalizedEnd: position + offset + 1 - shift, bytes, into: &sink) }
                }
            case .pooled(let start, let length):
                let first = position - shift
                record(Checkpoint(n0: first, n1: first + length, p0: position, p1: segment.end))
                for offset in 0..<length {
                    let transition = step(state, table.pool[start + offset])
                    state = transition & ~reportBit
                    if transition >= reportBit { report(state, normalizedEnd: first + offset + 1, bytes, into: &sink) }
                }
                shift = segment.end - (first + length)
            case .computed(let mapped):
                let first = position - shift
                record(Checkpoint(n0: first, n1: first + mapped.count, p0: position, p1: segment.end))
                for offset in mapped.indices {
                    let transition = step(state, mapped[offset])
                    state = transition & ~reportBit
                    if transition >= reportBit { report(state, normalizedEnd: first + offset + 1, bytes, into: &sink) }
                }
                shift = segment.end - (first + mapped.count)
            }
            position = segment.end
        }
    }

    private mutating func record(_ checkpoint: Checkpoint) {
        // Runs of scalars that normalize to nothing (zero-width spaces) share one checkpoint,
        // which keeps the number of checkpoints a term can span bounded.
        if checkpoint.n0 == checkpoint.n1, checkpointCount > 0 {
            let last = (checkpointCount - 1) & ringMask
            if ring[last].n0 == ring[last].n1, ring[last].n1 == checkpoint.n0, ring[last].p1 == checkpoint.p0 {
                ring[last].p1 = checkpoint.p1
                return
            }
        }
        ring[checkpointCount & ringMask] = checkpoint
        checkpointCount += 1
    }

    /// The latest checkpoint that starts at or before normalized offset `offset` (strictly
    /// before when `strictly`).
    private func checkpoint(before offset: Int, strictly: Bool) -> Checkpoint? {
        var low = max(0, checkpointCount - ring.count)
        var high = checkpointCount
        // Find the first checkpoint that starts after `offset` (at or after, when strictly).
        while low < high {
            let middle = (low + high) / 2
            let start = ring[middle & ringMask].n0
            if start < offset || (!strictly && start == offset) { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : ring[(low - 1) & ringMask]
    }

    /// The original byte offset where a match starting at normalized offset `offset` starts.
    private func originalStart(_ offset: Int) -> Int {
        // Usually the match starts after the latest checkpoint's start: no search needed.
        if checkpointCount > 0 {
            let latest = ring[(checkpointCount - 1) & ringMask]
            if latest.n0 <= offset { return offset < latest.n1 ? latest.p0 : latest.p1 + (offset - latest.n1) }
        } else {
            return offset
        }
        guard let checkpoint = checkpoint(before: offset, strictly: false) else { return offset }
        return offset < checkpoint.n1 ? checkpoint.p0 : checkpoint.p1 + (offset - checkpoint.n1)
    }

    /// The original byte offset where a match ending at normalized offset `offset` ends.
    private func originalEnd(_ offset: Int) -> Int {
        if checkpointCount > 0 {
            let latest = ring[(checkpointCount - 1) & ringMask]
            if offset > latest.n0 { return offset <= latest.n1 ? latest.p1 : latest.p1 + (offset - latest.n1) }
        } else {
            return offset
        }
        guard let checkpoint = checkpoint(before: offset, strictly: true) else { return offset }
        return offset <= checkpoint.n1 ? checkpoint.p1 : checkpoint.p1 + (offset - checkpoint.n1)
    }

    /// Hands the entries `state` reports (its own and those along its output links) to the sink.
    @inline(never)
    private mutating func report<Sink: KeywordMatchSink>(
        _ code: UInt32, normalizedEnd end: Int, _ bytes: UnsafeBufferPointer<UInt8>, into sink: inout Sink
    ) {
        let state = self.automaton.state(ofCode: code)
        var link = self.automaton.outputStart[Int(state) + 1] > self.automaton.outputStart[Int(state)] ? state : self.automaton.outputLink[Int(state)]
        while link != KeywordAutomaton.none {
            for index in Int(self.automaton.outputStart[Int(link)])..<Int(self.automaton.outputStart[Int(link) + 1]) {
                let entry = self.automaton.entries[index]
                let start = end - Int(entry.length)
                var originalStart = -1
                var originalEnd = -1
                if entry.checkBefore {
                    originalStart = self.originalStart(start)
                    if wordBefore(start, original: originalStart, bytes) { continue }
                }
                if entry.checkAfter {
                    originalEnd = self.originalEnd(end)
                    if wordAfter(end, original: originalEnd, bytes) { continue }
                }
                guard Sink.needsOffsets else {
                    sink.accept(entry: index, set: Int(entry.set), start: 0, end: 0)
                    continue
                }
                if originalStart < 0 { originalStart = self.originalStart(start) }
                if originalEnd < 0 { originalEnd = self.originalEnd(end) }
                let scalarEnd = scalarOffset(originalEnd, bytes)
                let scalarStart = scalarEnd - KeywordUTF8.scalarCount(bytes, originalStart..<originalEnd)
                sink.accept(entry: index, set: Int(entry.set), start: scalarStart, end: scalarEnd)
            }
            link = self.automaton.outputLink[Int(link)]
        }
    }

    /// The scalar offset of byte offset `offset`, counted from the cursor, which moves there.
    private mutating func scalarOffset(_ offset: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if offset >= cursorByte {
            cursorScalar += KeywordUTF8.scalarCount(bytes, cursorByte..<offset)
        } else {
            cursorScalar -= KeywordUTF8.scalarCount(bytes, offset..<cursorByte)
        }
        cursorByte = offset
        return cursorScalar
    }

    /// Whether the normalized scalar before normalized offset `offset` (original byte offset
    /// `original`) is a word character.
    private func wordBefore(_ offset: Int, original: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let checkpoint = checkpoint(before: offset, strictly: true), offset < checkpoint.n1 {
            // Inside a segment's output, e.g. `i` of `ﬁ` → `fi`: look at that output.
            return table.normalizedBytes(ofSegmentAt: checkpoint.p0, in: bytes).withUnsafeBufferPointer { mapped in
                let start = KeywordUTF8.previousStart(mapped, before: offset - checkpoint.n0)
                return KeywordWordBoundary.isWord(KeywordUTF8.decode(mapped, at: start).0)
            }
        }
        // Before a segment boundary: the last scalar of the segment before it. Segments are
        // normalized whole because NFKC reorders marks (`-` U+0301 U+FF9E ends with U+0301).
        var position = original
        while position > 0 {
            var start = KeywordUTF8.previousStart(bytes, before: position)
            while start > 0, table.isJoiner(KeywordUTF8.decode(bytes, at: start).0) {
                start = KeywordUTF8.previousStart(bytes, before: start)
            }
            let segment = table.segment(at: start, in: bytes)
            if case .unchanged = segment.output {
                return KeywordWordBoundary.isWord(KeywordUTF8.decode(bytes, at: KeywordUTF8.previousStart(bytes, before: position)).0)
            }
            let mapped = table.normalizedBytes(ofSegmentAt: start, in: bytes)
            if !mapped.isEmpty {
                return mapped.withUnsafeBufferPointer { mapped in
                    KeywordWordBoundary.isWord(KeywordUTF8.decode(mapped, at: KeywordUTF8.previousStart(mapped, before: mapped.count)).0)
                }
            }
            position = start
        }
        return false
    }

    /// Whether the normalized scalar at normalized offset `offset` (original byte offset
    /// `original`) is a word character.
    private func wordAfter(_ offset: Int, original: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let checkpoint = checkpoint(before: offset, strictly: true), offset < checkpoint.n1 {
            return table.normalizedBytes(ofSegmentAt: checkpoint.p0, in: bytes).withUnsafeBufferPointer { mapped in
                KeywordWordBoundary.isWord(KeywordUTF8.decode(mapped, at: offset - checkpoint.n0).0)
            }
        }
        var position = original
        while position < bytes.count {
            let segment = table.segment(at: position, in: bytes)
            if case .unchanged = segment.output {
                return KeywordWordBoundary.isWord(KeywordUTF8.decode(bytes, at: position).0)
            }
            let mapped = table.normalizedBytes(ofSegmentAt: position, in: bytes)
            if !mapped.isEmpty {
                return mapped.withUnsafeBufferPointer { KeywordWordBoundary.isWord(KeywordUTF8.decode($0, at: 0).0) }
            }
            position = segment.end
        }
        return false
    }
}
