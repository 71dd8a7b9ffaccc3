// Files.swift — the small file-system and process helpers every Notebook file shares.
//
// Contract: nothing the notebook writes is ever left half-written. `AtomicFile.write` puts the
// bytes in a temporary file in the destination's own folder (same file system) and renames it
// over the destination, so a reader sees the old file or the new one, never a torn one.
// Errors are `NotebookError`s whose message names the file and what went wrong.

import Foundation

/// An error from the notebook layer: a sentence naming the file and what is wrong.
public struct NotebookError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The whole message, e.g. "cannot read PNG /x/y.png: Not a PNG file".
    public let message: String

    /// An error with the given message.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Writes whole files atomically: temporary file in the same folder, then `rename(2)`.
public enum AtomicFile {
    /// Writes `data` to `url`, creating the parent folder if needed.
    /// On failure the destination is untouched and the temporary file removed.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw NotebookError("cannot create folder \(directory.path) for \(url.lastPathComponent): \(error.localizedDescription)")
        }
        let temporary = temporaryURL(besides: url)
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw NotebookError("cannot write \(url.path): \(error.localizedDescription)")
        }
        try moveReplacing(temporary, to: url)
    }

    /// Writes `text` as UTF-8 to `url` (see `write(_:to:)` for the data version).
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// A fresh hidden name next to `url`: `.name.tmp-PID-RANDOM`. Same folder, so the rename is atomic.
    public static func temporaryURL(besides url: URL) -> URL {
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))"
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(unique)")
    }

    /// Renames `temporary` over `destination` (atomic on one file system); removes `temporary` on failure.
    public static func moveReplacing(_ temporary: URL, to destination: URL) throws {
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw NotebookError("cannot move \(temporary.lastPathComponent) into place as \(destination.path): \(reason)")
        }
    }
}

/// Finding and running external programs (gnuplot, git).
enum Executable {
    /// The first executable file called `name` in the colon-separated `searchPath`, or nil.
    static func find(_ name: String, searchPath: String?) -> URL? {
        for folder in (searchPath ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Which output stream of the child to capture; the other goes to /dev/null.
    enum Capture { case standardOutput, standardError }

    /// Runs `executable` with `arguments` in `directory` and returns its exit status and the captured stream.
    /// Reading the one captured pipe to its end before waiting cannot deadlock.
    static func run(_ executable: URL, arguments: [String], in directory: URL? = nil,
                    capture: Capture) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardInput = FileHandle.nullDevice
        switch capture {
        case .standardOutput:
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
        case .standardError:
            process.standardOutput = FileHandle.nullDevice
            process.standardError = pipe
        }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The relative path that leads from folder `base` to `target`, e.g. "../../figures/chapter1/fit.png".
/// Both are made absolute and standardised first.
func relativePath(from base: URL, to target: URL) -> String {
    let from = base.standardizedFileURL.pathComponents
    let to = target.standardizedFileURL.pathComponents
    var common = 0
    while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
    let ups = Array(repeating: "..", count: from.count - common)
    let parts = ups + to[common...]
    return parts.isEmpty ? "." : parts.joined(separator: "/")
}
