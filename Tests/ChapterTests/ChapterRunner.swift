import Foundation
import Notebook

/// Runs a chapter executable built beside the test bundle and returns its results.json.
enum ChapterRunner {
    /// The folder holding the built products (the test bundle's folder).
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().standardizedFileURL
    }

    static func executable(_ chapter: Int) -> URL? {
        var directory = productsDirectory
        // The XCTest bundle on Linux is a plain executable; be robust to a bundle folder too.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("chapter\(chapter)")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Real data for the chapters: `$BAYES_DATA`, else ../shared/data beside the package root.
    static var dataDirectory: String {
        if let path = ProcessInfo.processInfo.environment["BAYES_DATA"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("../shared/data").standardizedFileURL.path
    }

    /// Whether every file (a path under the data folder, without ".gz") is there, plain or gzipped:
    /// the chapters' end-to-end tests run on the real datasets and are skipped, saying so, without them.
    static func hasData(_ files: [String]) -> Bool {
        files.allSatisfy { file in
            ["", ".gz"].contains { FileManager.default.fileExists(atPath: "\(dataDirectory)/\(file)\($0)") }
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs `chapterN arguments… --out <temp> --no-weave` and reads the results it wrote.
    static func run(_ chapter: Int, _ arguments: [String]) throws -> (results: Results, output: URL) {
        guard let binary = executable(chapter) else {
            throw Failure(description: "chapter\(chapter) executable not found next to \(productsDirectory.path); build all products first")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chapter\(chapter)-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--out", output.path, "--no-weave"]
        process.environment = ProcessInfo.processInfo.environment.merging(["BAYES_DATA": dataDirectory]) { _, new in new }
        let log = Pipe()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let text = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "chapter\(chapter) \(arguments) exited with \(process.terminationStatus):\n\(text)")
        }
        return (try Results.read(from: output.appendingPathComponent("results.json")), output)
    }

    static func number(_ results: Results, _ path: String) -> Double {
        results.metric(path)?.number ?? .nan
    }
}
