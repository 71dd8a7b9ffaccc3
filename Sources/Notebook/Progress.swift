// Progress.swift — progress reporting for long loops, and a stopwatch.
//
// Contract: on a terminal, `ProgressMeter` redraws one live line (bar, count, elapsed, ETA, message),
// at most ten times a second; elsewhere (logs, CI, pipes) it prints one plain line per `advance`,
// so call `advance` once per epoch there. Output goes to standard error by default, keeping standard
// output for the chapter's final table. `Stopwatch` measures wall time on a monotonic clock.

import Foundation

/// Wall-clock time since a start point, on a monotonic clock.
public struct Stopwatch: Sendable {
    private var start: DispatchTime

    /// Starts timing now.
    public init() { start = .now() }

    /// Seconds since start (or the last `reset`).
    public var elapsed: Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Restarts from zero and returns the seconds elapsed until now (a lap time).
    @discardableResult
    public mutating func reset() -> Double {
        let lap = elapsed
        start = .now()
        return lap
    }

    /// Seconds as a short human duration: "0.42s", "12.3s", "4m 05s", "2h 03m".
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 10 { return String(format: "%.2fs", seconds) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return String(format: "%dh %02dm", whole / 3600, (whole % 3600) / 60)
    }
}

/// Where progress goes.
public enum ProgressStream: Sendable {
    case standardError, standardOutput

    var descriptor: Int32 { self == .standardError ? STDERR_FILENO : STDOUT_FILENO }
    var handle: FileHandle { self == .standardError ? .standardError : .standardOutput }
}

/// Progress of `total` steps (named `ProgressMeter` because Foundation already has a `Progress`): a live bar on a terminal, one line per step elsewhere.
///
///     let progress = ProgressMeter(total: epochs, label: "training")
///     for epoch in 1 ... epochs {
///         …
///         progress.advance(message: "loss \(loss)")
///     }
///     progress.finish("done")
public final class ProgressMeter {
    /// Number of steps in all.
    public let total: Int
    /// Name shown before the bar, e.g. "epoch" or "training LeNet-5".
    public let label: String
    /// Steps done so far.
    public private(set) var completed = 0
    /// Whether the output is a live, redrawn line (a terminal).
    public let isInteractive: Bool

    private let write: (String) -> Void
    private let stopwatch = Stopwatch()
    private var lastDraw = -Double.infinity
    private var lastMessage = ""

    /// - Parameters:
    ///   - total: the number of steps (epochs, batches).
    ///   - label: shown before the counts.
    ///   - stream: standard error (default) or standard output; live mode if it is a terminal.
    public convenience init(total: Int, label: String, stream: ProgressStream = .standardError) {
        let handle = stream.handle
        self.init(total: total, label: label, interactive: isatty(stream.descriptor) != 0) { text in
            handle.write(Data(text.utf8))
        }
    }

    /// The primitive initialiser: explicit mode and output function (tests capture output this way).
    public init(total: Int, label: String, interactive: Bool, write: @escaping (String) -> Void) {
        precondition(total >= 0, "negative progress total \(total)")
        self.total = total
        self.label = label
        self.isInteractive = interactive
        self.write = write
    }

    /// Marks `steps` more steps done (default 1) and reports, with an optional `message` (e.g. the loss).
    public func advance(by steps: Int = 1, message: String = "") {
        completed = min(completed + steps, total)
        lastMessage = message
        if isInteractive {
            // Redrawing is cheap but not free; a person cannot read more than ~10 updates a second.
            let now = stopwatch.elapsed
            if now - lastDraw >= 0.1 || completed == total {
                lastDraw = now
                write("\r\u{1B}[K" + line(width: 30))
            }
        } else {
            write(line(width: 0) + "\n")
        }
    }

    /// Ends the report: on a terminal, completes the live line; then prints `message` (if any) with the total time.
    public func finish(_ message: String = "") {
        let summary = "\(label): \(message.isEmpty ? "done" : message) in \(Stopwatch.format(stopwatch.elapsed))\n"
        if isInteractive { write("\r\u{1B}[K" + line(width: 30) + "\n") }
        write(summary)
    }

    /// Seconds since the progress started.
    public var elapsed: Double { stopwatch.elapsed }

    /// Estimated seconds left, from the average time per step so far (nil before the first step).
    public var estimatedRemaining: Double? {
        completed > 0 ? elapsed / Double(completed) * Double(total - completed) : nil
    }

    /// "label [#####.....] 5/10  50%  elapsed 3.0s  eta 3.0s  message"; no bar when `width` is 0.
    func line(width: Int) -> String {
        let fraction = total > 0 ? Double(completed) / Double(total) : 1
        var text = label + " "
        if width > 0 {
            let filled = Int((fraction * Double(width)).rounded(.down))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        }
        let digits = String(total).count
        text += String(format: "%\(digits)d/%d %3.0f%%", completed, total, fraction * 100)
        text += "  elapsed " + Stopwatch.format(elapsed)
        if completed < total, let remaining = estimatedRemaining { text += "  eta " + Stopwatch.format(remaining) }
        if !lastMessage.isEmpty { text += "  " + lastMessage }
        return text
    }
}
