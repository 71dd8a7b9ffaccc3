// Weaver.swift — turns a chapter's source into its Markdown notebook page.
//
// Contract: `Weaver.weave` reads chapters/NN-name/main.swift and writes chapters/NN-name/README.md
// (atomically). The source's prose is Swift playground markup:
//   //: a line of Markdown              /*: a block of Markdown … */
// Everything else is code, shown as ```swift blocks (leading and trailing blank lines dropped,
// empty blocks skipped), except lines ending in `// weave: hide` and regions between the lines
// `// weave: hide-start` and `// weave: hide-end`, which are left out of the page.
// Markers in prose are filled in from the run:
//   {{figure: name}}                 → ![name](<relative path>/name.png); the PNG must exist
//   {{result: test.accuracy}}        → the value at that dotted path in results.json's metrics
//                                      (falling back to the record's own fields, e.g. `epochs`)
//   {{result: test.accuracy %.2f}}   → the same, printf-formatted
// A missing figure, a missing result or an unknown marker is an error naming the source line.
// The page opens with a note of the run it shows: profile, seed, git commit, date.

import Foundation

/// Weaves chapter sources into Markdown pages.
public enum Weaver {
    /// Weaves `source` (a chapter's main.swift) into `output` (its README.md), atomically.
    /// - Parameters:
    ///   - source: the chapter source with playground-markup prose.
    ///   - results: the run's results.json (for `{{result: …}}` and the page's run note).
    ///   - figuresDirectory: where `{{figure: name}}` finds name.png; links are made relative to `output`'s folder.
    ///   - output: the Markdown file to write.
    /// - Throws: `NotebookError` for an unreadable file, a missing figure or result, or malformed markup.
    public static func weave(source: URL, results: URL, figuresDirectory: URL, output: URL) throws {
        let text: String
        do { text = try String(contentsOf: source, encoding: .utf8) } catch {
            throw NotebookError("cannot read chapter source \(source.path): \(error.localizedDescription)")
        }
        let record = try Results.read(from: results)
        let page = try render(source: text, sourceName: source.lastPathComponent, results: record,
                              resultsPath: results.path, figuresDirectory: figuresDirectory,
                              pageDirectory: output.deletingLastPathComponent(),
                              sourceLink: relativePath(from: output.deletingLastPathComponent(), to: source))
        try AtomicFile.write(page, to: output)
    }

    /// Weaves the chapter whose main.swift is `source` (default: the caller's file) into README.md beside it,
    /// from the results and figures in `options.outputDirectory(chapter:)`. Does nothing with `--no-weave`.
    public static func weaveChapter(_ chapter: Int, options: ChapterOptions, source: String = #filePath) throws {
        guard options.weave else { return }
        let sourceURL = URL(fileURLWithPath: source)
        let figures = options.outputDirectory(chapter: chapter)
        try weave(source: sourceURL, results: figures.appendingPathComponent("results.json"),
                  figuresDirectory: figures,
                  output: sourceURL.deletingLastPathComponent().appendingPathComponent("README.md"))
    }

    /// With `--weave-only`, weaves the page from the output folder's results.json and figures (an
    /// earlier run's, e.g. after the prose changed) and exits; otherwise returns at once.
    public static func weaveOnlyIfAsked(_ chapter: Int, options: ChapterOptions, source: String = #filePath) {
        guard options.weaveOnly else { return }
        do {
            try weaveChapter(chapter, options: options, source: source)
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("chapter \(chapter): cannot weave the page: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The Markdown page for source `text` (the pure core of `weave`).
    /// - Parameters: `sourceName` for error messages; `resultsPath` for error messages; `pageDirectory`
    ///   the folder the page will live in (figure links are relative to it); `sourceLink` the link to the source.
    public static func render(source text: String, sourceName: String, results: Results, resultsPath: String,
                              figuresDirectory: URL, pageDirectory: URL, sourceLink: String) throws -> String {
        let chunks = try split(text, sourceName: sourceName)
        let markers = Markers(sourceName: sourceName, results: results, resultsPath: resultsPath,
                              figuresDirectory: figuresDirectory, pageDirectory: pageDirectory)
        var blocks: [String] = []
        for chunk in chunks {
            switch chunk {
            case .prose(let lines):
                let body = try trimmingBlankEnds(lines).map { try markers.expand($0.text, line: $0.number) }
                if !body.isEmpty { blocks.append(body.joined(separator: "\n")) }
            case .code(let lines):
                let body = trimmingBlankEnds(lines).map(\.text)
                if !body.isEmpty { blocks.append("```swift\n" + body.joined(separator: "\n") + "\n```") }
            }
        }
        let note = runNote(results, sourceName: sourceName, sourceLink: sourceLink)
        // The run note goes right under the page's title if it opens with one, else at the very top.
        if let first = blocks.first, first.hasPrefix("# ") {
            let lines = first.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            blocks[0] = String(lines[0])
            blocks.insert(note, at: 1)
            if lines.count > 1, !lines[1].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                blocks.insert(lines[1].trimmingCharacters(in: .newlines), at: 2)
            }
        } else {
            blocks.insert(note, at: 0)
        }
        let banner = "<!-- Woven from \(sourceName) by the Notebook weaver: edit the source, not this page. -->"
        return ([banner] + blocks).joined(separator: "\n\n") + "\n"
    }

    /// "> Woven from [main.swift](main.swift) and a run with profile `default`, seed 1, …"
    static func runNote(_ results: Results, sourceName: String, sourceLink: String) -> String {
        var note = "> Woven from [`\(sourceName)`](\(sourceLink)) and the results of a run with profile "
        note += "`\(results.profile)`, seed \(results.seed)"
        if let epochs = results.epochs { note += ", \(epochs) epochs" }
        note += ", at commit `\(results.gitCommit)` on \(results.date)"
        note += " (wall time \(Stopwatch.format(results.wallTimeSeconds)), \(results.machine.cores) cores)."
        return note
    }

    // MARK: Splitting the source into prose and code

    /// A source line and its 1-based number (for error messages).
    struct Line { var number: Int; var text: String }

    enum Chunk { case prose([Line]), code([Line]) }

    /// Splits source text into alternating prose and code chunks, leaving hidden lines out.
    static func split(_ text: String, sourceName: String) throws -> [Chunk] {
        var chunks: [Chunk] = []
        func append(_ line: Line, prose: Bool) {
            switch (chunks.last, prose) {
            case (.prose(let lines)?, true): chunks[chunks.count - 1] = .prose(lines + [line])
            case (.code(let lines)?, false): chunks[chunks.count - 1] = .code(lines + [line])
            default: chunks.append(prose ? .prose([line]) : .code([line]))
            }
        }
        // Hidden code still separates the prose around it into paragraphs, as visible code would.
        func endProse() {
            if case .prose? = chunks.last { chunks.append(.code([])) }
        }

        var block: [Line]? = nil          // inside /*: … */
        var blockStart = 0
        var hiddenSince: Int? = nil       // inside weave: hide-start … hide-end
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if var open = block {
                if let end = raw.range(of: "*/") {
                    open.append(Line(number: number, text: String(raw[..<end.lowerBound])))
                    for line in dedented(open) { append(line, prose: true) }
                    block = nil
                } else {
                    open.append(Line(number: number, text: raw))
                    block = open
                }
                continue
            }
            if let start = hiddenSince {
                if trimmed == "// weave: hide-start" {
                    throw NotebookError("\(sourceName):\(number): `// weave: hide-start` inside the hidden region opened on line \(start)")
                }
                if trimmed == "// weave: hide-end" { hiddenSince = nil }
                endProse()
                continue
            }
            if trimmed == "// weave: hide-start" { hiddenSince = number; continue }
            if trimmed == "// weave: hide-end" {
                throw NotebookError("\(sourceName):\(number): `// weave: hide-end` without a `// weave: hide-start` before it")
            }
            if trimmed.hasSuffix("// weave: hide") { endProse(); continue }
            if trimmed.hasPrefix("//:") {
                var prose = trimmed.dropFirst(3)
                if prose.first == " " { prose = prose.dropFirst() }
                append(Line(number: number, text: String(prose)), prose: true)
                continue
            }
            if trimmed.hasPrefix("/*:") {
                let rest = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if let end = rest.range(of: "*/") {
                    append(Line(number: number, text: rest[..<end.lowerBound].trimmingCharacters(in: .whitespaces)), prose: true)
                } else {
                    // Text on the opening line is prose as it stands; the lines below are dedented together.
                    if !rest.isEmpty { append(Line(number: number, text: rest), prose: true) }
                    block = []
                    blockStart = number
                }
                continue
            }
            append(Line(number: number, text: raw), prose: false)
        }
        if block != nil {
            throw NotebookError("\(sourceName):\(blockStart): prose block `/*:` is never closed with `*/`")
        }
        if let start = hiddenSince {
            throw NotebookError("\(sourceName):\(start): `// weave: hide-start` is never closed with `// weave: hide-end`")
        }
        return chunks
    }

    /// Removes the indentation common to a prose block's non-blank lines (playground blocks are often indented by one space).
    static func dedented(_ lines: [Line]) -> [Line] {
        let indents = lines.filter { !$0.text.allSatisfy(\.isWhitespace) }.map { $0.text.prefix { $0 == " " || $0 == "\t" }.count }
        let common = indents.min() ?? 0
        return lines.map { line in
            line.text.allSatisfy(\.isWhitespace) ? Line(number: line.number, text: "")
                                                 : Line(number: line.number, text: String(line.text.dropFirst(common)))
        }
    }

    /// Drops whitespace-only lines at the start and end.
    static func trimmingBlankEnds(_ lines: [Line]) -> [Line] {
        let isBlank = { (line: Line) in line.text.allSatisfy(\.isWhitespace) }
        guard let first = lines.firstIndex(where: { !isBlank($0) }), let last = lines.lastIndex(where: { !isBlank($0) })
        else { return [] }
        return Array(lines[first ... last])
    }
}

// MARK: - Markers

/// Expands `{{figure: …}}` and `{{result: …}}` in a line of prose.
struct Markers {
    let sourceName: String
    let results: Results
    let resultsPath: String
    let figuresDirectory: URL
    let pageDirectory: URL

    func expand(_ text: String, line: Int) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let inside = rest[open.upperBound ..< close.lowerBound]
            output += try replacement(for: inside, line: line)
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    private func replacement(for marker: Substring, line: Int) throws -> String {
        let here = "\(sourceName):\(line)"
        guard let colon = marker.firstIndex(of: ":") else {
            throw NotebookError("\(here): marker {{\(marker)}} needs a kind: {{figure: name}} or {{result: key.path}}")
        }
        let kind = marker[..<colon].trimmingCharacters(in: .whitespaces)
        let argument = marker[marker.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        switch kind {
        case "figure":
            guard !argument.isEmpty else { throw NotebookError("\(here): {{figure: }} needs a figure name") }
            let png = figuresDirectory.appendingPathComponent("\(argument).png")
            guard FileManager.default.fileExists(atPath: png.path) else {
                throw NotebookError("\(here): figure '\(argument)' not found: expected \(png.path) (did the run write it?)")
            }
            return "![\(argument)](\(relativePath(from: pageDirectory, to: png)))"
        case "result":
            let parts = argument.split(whereSeparator: \.isWhitespace)
            guard let key = parts.first, parts.count <= 2 else {
                throw NotebookError("\(here): {{result: \(argument)}} should be {{result: key.path}} or {{result: key.path %.2f}}")
            }
            guard let value = lookUp(String(key)) else {
                let known = results.metrics.keys.sorted().joined(separator: ", ")
                throw NotebookError("\(here): result '\(key)' not found in \(resultsPath) (metrics has: \(known.isEmpty ? "nothing" : known))")
            }
            return try Markers.format(value, format: parts.count == 2 ? String(parts[1]) : nil, at: here, key: String(key))
        default:
            throw NotebookError("\(here): unknown marker {{\(marker)}}: use {{figure: name}} or {{result: key.path}}")
        }
    }

    /// The metric at `path`, else the record field at `path` (e.g. "epochs", "machine.cpu_model").
    private func lookUp(_ path: String) -> JSONValue? {
        if let metric = results.metric(path) { return metric }
        guard let data = try? JSONEncoder.notebook(pretty: false).encode(results),
              let record = try? JSONDecoder.notebook().decode(JSONValue.self, from: data) else { return nil }
        return record[path: path]
    }

    /// A value as prose: numbers readably (or by a printf `format`), strings as they are, the rest as JSON.
    static func format(_ value: JSONValue, format: String?, at place: String, key: String) throws -> String {
        guard let format else {
            switch value {
            case .number(let number): return readable(number)
            case .string(let string): return string
            case .bool(let flag): return flag ? "true" : "false"
            default: return value.description
            }
        }
        guard let number = value.number else {
            throw NotebookError("\(place): result '\(key)' is \(value), not a number, so it cannot take the format \(format)")
        }
        guard let conversion = singleConversion(in: format) else {
            throw NotebookError("\(place): format '\(format)' for result '\(key)' must hold exactly one of %f %e %g %d (like %.2f); write %% for a percent sign")
        }
        return "dDiI".contains(conversion) ? String(format: format, Int(number.rounded())) : String(format: format, number)
    }

    /// Numbers without a format: whole numbers as integers, others with four significant digits
    /// (one decimal from 1000 up, scientific below 0.001).
    static func readable(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "∞" : "−∞" }
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        let magnitude = abs(number)
        if magnitude >= 1000 { return String(format: "%.1f", number) }
        if magnitude >= 1e-3 { return String(format: "%.4g", number) }
        return String(format: "%.3e", number)
    }

    /// The conversion character if `format` is text with exactly one `%[flags][width][.precision](f|e|g|d|i)`
    /// (and any number of `%%`), else nil: guards String(format:) against formats it would misread.
    static func singleConversion(in format: String) -> Character? {
        var found: Character? = nil
        var characters = Array(format)[...]
        while let percent = characters.firstIndex(of: "%") {
            characters = characters[(percent + 1)...]
            if characters.first == "%" { characters = characters.dropFirst(); continue }
            characters = characters.drop { "-+ #0".contains($0) }
            characters = characters.drop(while: \.isNumber)
            if characters.first == "." { characters = characters.dropFirst().drop(while: \.isNumber) }
            guard let conversion = characters.first, "fFeEgGdi".contains(conversion), found == nil else { return nil }
            found = conversion
            characters = characters.dropFirst()
        }
        return found
    }
}
