import TaskLedgerCore

/// Resolves ``FieldPath``s in a scanned line: the top-level key by the line's members (the last
/// occurrence of a key wins), then each nested key by scanning that object again.
package struct FieldPaths {
    /// Where a path leads in one line.
    package enum Lookup {
        /// A key on the way is missing, or a value on the way (or at the end) is null.
        case absent
        /// The value at the end; `member` is the top-level member when the path is one key.
        case found(JSONValue, member: Int?, path: FieldPath)
        /// A value on the way is not an object (e.g. an array): the path cannot go on.
        case notAnObject(path: FieldPath, prefix: String, found: JSONKind)
        /// A template's value, composed of its parts.
        case composed(String, path: FieldPath)
        /// A template's part is an object or an array, which has no text to compose.
        case notComposable(path: FieldPath, part: FieldPath, found: JSONKind)
    }

    package let line: ScannedLine
    /// What `$file` stands for (``FieldPath/fileTask(_:)``); nil: `$file` is absent.
    package var fileName: String? = nil

    package init(line: ScannedLine, fileName: String? = nil) {
        self.line = line
        self.fileName = fileName
    }

    package func lookup(_ path: FieldPath) -> Lookup {
        if let parts = path.template { return compose(parts, path: path) }
        var member: Int?
        for index in line.members.indices where !line.members[index].isSuperseded {
            let matches = line.withKey(of: index) { key in
                path.segmentBytes[0].withUnsafeBytes { KeyTable.same(key, $0) }
            }
            if matches { member = index }
        }
        guard let member else { return .absent }
        var value = line.members[member].value
        for depth in 1..<path.segments.count {
            guard value.kind != .null else { return .absent }
            guard value.kind == .object else {
                let prefix = FieldPath(segments: Array(path.segments[..<depth])).description
                return .notAnObject(path: path, prefix: prefix, found: value.kind)
            }
            var next: JSONValue?
            JSONScanner.forEachMember(ofObjectAt: value.start, in: line.bytes) { nested in
                if line.keyEquals(nested, path.segmentBytes[depth]) { next = nested.value }
            }
            guard let found = next else { return .absent }
            value = found
        }
        guard value.kind != .null else { return .absent }
        return .found(value, member: path.segments.count == 1 ? member : nil, path: path)
    }

    /// A template's text: each `{path}` replaced by its value's text (strings unescaped, numbers
    /// and booleans as written), absent when one of them is.
    private func compose(_ parts: [FieldPath.Part], path: FieldPath) -> Lookup {
        var text = ""
        for part in parts {
            switch part {
            case .text(let literal): text += literal
            case .file:
                guard let fileName else { return .absent }
                text += fileName
            case .path(let inner):
                switch lookup(inner) {
                case .absent: return .absent
                case .notAnObject(_, let prefix, let found):
                    return .notAnObject(path: path, prefix: prefix, found: found)
                case .composed(let value, _): text += value
                case .notComposable(_, let part, let found): return .notComposable(path: path, part: part, found: found)
                case .found(let value, _, _):
                    switch value.kind {
                    case .string: text += line.text(of: value)
                    case .number, .bool: text += String(decoding: line.raw(value.start..<value.end), as: UTF8.self)
                    case .null: return .absent
                    case .object, .array: return .notComposable(path: path, part: inner, found: value.kind)
                    }
                }
            }
        }
        return .composed(text, path: path)
    }

    /// The first path of `paths` that leads somewhere (a value, or a dead end that is the
    /// line's mistake), or `.absent`.
    package func first(of paths: [FieldPath]) -> Lookup {
        for path in paths {
            let result = lookup(path)
            if case .absent = result { continue }
            return result
        }
        return .absent
    }
}

extension ScannedLine {
    /// Whether the (unescaped) key of a member anywhere in the line is `key`.
    package func keyEquals(_ member: JSONMember, _ key: [UInt8]) -> Bool {
        let rawKey = raw(member.keyStart..<member.keyEnd)
        return key.withUnsafeBytes { wanted in
            guard member.keyHasEscapes else { return KeyTable.same(rawKey, wanted) }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rawKey.count) { scratch in
                let count = JSONText.unescape(rawKey, into: scratch)
                return KeyTable.same(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: scratch[..<count])), wanted)
            }
        }
    }
}
