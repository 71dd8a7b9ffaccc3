// Results.swift — results.json: what a chapter run measured, and how and where it ran.
//
// Contract: one `Results` record per chapter run, written atomically as pretty-printed JSON with
// sorted keys (so two runs diff cleanly) to figures/chapterN/results.json, and read back by the
// weaver. `metrics` holds any JSON-able values (numbers, strings, booleans, arrays, objects),
// addressed by dotted paths like "test.accuracy". Non-finite numbers are stored as the strings
// "NaN", "Infinity", "-Infinity" (JSON has no such numbers) and read back as numbers.

import Foundation
import Engine

/// A JSON value: what a metric can be.
public enum JSONValue: Codable, Equatable, Sendable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A number from any float (Float metrics from tensors go in as they are).
    public init(_ value: some BinaryFloatingPoint) { self = .number(Double(value)) }
    /// A number from any integer (stored as Double: exact up to 2^53).
    public init(_ value: some BinaryInteger) { self = .number(Double(value)) }
    /// An array of numbers, e.g. a per-epoch curve.
    public init(_ values: [some BinaryFloatingPoint]) { self = .array(values.map { .number(Double($0)) }) }

    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// The value at a dotted path ("test.accuracy"; array elements by index: "curve.3"), or nil.
    public subscript(path path: String) -> JSONValue? {
        var current = self
        for key in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch current {
            case .object(let members):
                guard let next = members[key] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(key), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The number, if this is one.
    public var number: Double? { if case .number(let value) = self { value } else { nil } }

    /// Compact JSON text (sorted keys).
    public var description: String {
        let encoder = JSONEncoder.notebook(pretty: false)
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers are written without ".0" (epoch counts, parameter counts).
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) }
            else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// The machine a run used: enough to compare timings across runs.
public struct Machine: Codable, Equatable, Sendable {
    /// Logical cores available to the process.
    public var cores: Int
    /// Physical memory in bytes.
    public var memoryBytes: UInt64
    /// CPU model name from /proc/cpuinfo ("unknown" elsewhere).
    public var cpuModel: String
    /// Operating system: distribution name (from /etc/os-release) and kernel version.
    public var operatingSystem: String
    /// OpenBLAS's kernel set, and what the engine replaced (`blasKernelsDescription`): it decides
    /// how fast every GEMM ran. Absent in older records.
    public var blasKernels: String?

    /// A machine description from its parts (tests; `current()` for this machine).
    public init(cores: Int, memoryBytes: UInt64, cpuModel: String, operatingSystem: String, blasKernels: String? = nil) {
        self.cores = cores
        self.memoryBytes = memoryBytes
        self.cpuModel = cpuModel
        self.operatingSystem = operatingSystem
        self.blasKernels = blasKernels
    }

    /// This machine, now.
    public static func current() -> Machine {
        let info = ProcessInfo.processInfo
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let distribution = osRelease.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        // The kernel's release (Foundation's operatingSystemVersionString names the distribution on Linux).
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))
            .map { "Linux " + $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? info.operatingSystemVersionString
        return Machine(cores: info.activeProcessorCount, memoryBytes: info.physicalMemory, cpuModel: model,
                       operatingSystem: distribution.map { "\($0), \(kernel)" } ?? kernel, blasKernels: blasKernelsDescription)
    }

    /// The 1-minute load average (NaN where /proc/loadavg is missing): other processes compete
    /// for the cores and slow every timing, so chapters record it beside their times.
    public static func loadAverage() -> Double {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).flatMap { Double($0.split(separator: " ")[0]) } ?? .nan
    }
}

/// The record of one chapter run: results.json.
public struct Results: Codable, Equatable, Sendable {
    /// Chapter number (1…9).
    public var chapter: Int
    /// The profile the run used ("smoke", "default", "paper").
    public var profile: String
    /// The seed of the run's random stream.
    public var seed: UInt64
    /// Training epochs run (nil for chapters that do not train by epochs).
    public var epochs: Int?
    /// Wall-clock seconds of the whole run.
    public var wallTimeSeconds: Double
    /// `git rev-parse HEAD`, with "-dirty" if the worktree had changes; "unknown" outside a repository.
    public var gitCommit: String
    /// Where it ran.
    public var machine: Machine
    /// When the record was made, ISO 8601 UTC ("2025-01-31T12:00:00Z").
    public var date: String
    /// What the run measured; the weaver reads these by dotted path (`{{result: test.accuracy}}`).
    public var metrics: [String: JSONValue]

    /// A record stamped with this machine, the current git commit and the current date.
    /// - Parameters: `epochs` default nil; `gitCommit`, `machine`, `date` default to the present ones.
    public init(chapter: Int, profile: String, seed: UInt64, epochs: Int? = nil, wallTimeSeconds: Double,
                metrics: [String: JSONValue], gitCommit: String = Results.currentGitCommit(),
                machine: Machine = .current(), date: Date = Date()) {
        self.chapter = chapter
        self.profile = profile
        self.seed = seed
        self.epochs = epochs
        self.wallTimeSeconds = wallTimeSeconds
        self.gitCommit = gitCommit
        self.machine = machine
        self.date = date.formatted(.iso8601)
        self.metrics = metrics
    }

    /// A record for a chapter run with these command-line options (profile and seed taken from them).
    public init(chapter: Int, options: ChapterOptions, epochs: Int? = nil, wallTimeSeconds: Double,
                metrics: [String: JSONValue]) {
        self.init(chapter: chapter, profile: options.profile.rawValue, seed: options.seed, epochs: epochs,
                  wallTimeSeconds: wallTimeSeconds, metrics: metrics)
    }

    /// The metric at a dotted path, e.g. "test.accuracy", or nil.
    public func metric(_ path: String) -> JSONValue? {
        JSONValue.object(metrics)[path: path]
    }

    /// Writes the record as pretty-printed, key-sorted JSON, atomically (the folder is created if needed).
    public func write(to url: URL) throws {
        let data: Data
        do { data = try JSONEncoder.notebook(pretty: true).encode(self) } catch {
            throw NotebookError("cannot encode results for \(url.path): \(error)")
        }
        try AtomicFile.write(data + Data("\n".utf8), to: url)
    }

    /// Reads a results.json written by `write(to:)`.
    /// - Throws: `NotebookError` naming the file if it is missing or not a valid record.
    public static func read(from url: URL) throws -> Results {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NotebookError("cannot read results \(url.path): \(error.localizedDescription)")
        }
        do { return try JSONDecoder.notebook().decode(Results.self, from: data) } catch {
            throw NotebookError("results file \(url.path) is not a valid results record: \(error)")
        }
    }

    /// The commit checked out in `directory` (default: the current folder): `git rev-parse HEAD`,
    /// plus "-dirty" if the code differs from it (Package.swift, Sources/, the chapters' Swift files —
    /// not the figures and pages a run itself rewrites); "unknown" without git or a repository.
    public static func currentGitCommit(in directory: URL? = nil) -> String {
        guard let git = Executable.find("git", searchPath: ProcessInfo.processInfo.environment["PATH"]),
              let head = try? Executable.run(git, arguments: ["rev-parse", "HEAD"], in: directory, capture: .standardOutput),
              head.status == 0
        else { return "unknown" }
        let commit = head.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let status = try? Executable.run(git, arguments: ["status", "--porcelain", "--", "Package.swift", "Sources", "chapters/*.swift"], in: directory,
                                               capture: .standardOutput), status.status == 0
        else { return commit }
        return status.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? commit : commit + "-dirty"
    }

    /// Snake-case keys in the file ("wall_time_seconds"), as JSON readers in other languages expect.
    enum CodingKeys: String, CodingKey {
        case chapter, profile, seed, epochs, machine, date, metrics
        case wallTimeSeconds = "wall_time_seconds"
        case gitCommit = "git_commit"
    }
}

extension Machine {
    enum CodingKeys: String, CodingKey {
        case cores
        case memoryBytes = "memory_bytes"
        case cpuModel = "cpu_model"
        case operatingSystem = "operating_system"
        case blasKernels = "blas_kernels"
    }
}

extension JSONEncoder {
    /// The notebook's JSON style: sorted keys, non-finite numbers as strings, optionally pretty.
    static func notebook(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity",
                                                                      negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.notebook` writes.
    static func notebook() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity",
                                                                        negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}
