// ProgressTests.swift — progress lines off a terminal, the live bar, and duration formatting.

import Notebook
import Testing

@Suite struct ProgressTests {
    final class Sink { var text = "" }

    @Test func oneLinePerStepOffATerminal() {
        let sink = Sink()
        let progress = ProgressMeter(total: 3, label: "epoch", interactive: false) { sink.text += $0 }
        progress.advance(message: "loss 1.5")
        progress.advance()
        progress.advance(message: "loss 0.5")
        progress.finish("trained")
        let lines = sink.text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("epoch 1/3  33%  elapsed ") && lines[0].contains("eta") && lines[0].hasSuffix("loss 1.5"))
        #expect(lines[2].hasPrefix("epoch 3/3 100%") && !lines[2].contains("eta"))
        #expect(lines[3].hasPrefix("epoch: trained in "))
        #expect(!sink.text.contains("\r"))
    }

    @Test func liveBarRedrawsOneLine() {
        let sink = Sink()
        let progress = ProgressMeter(total: 4, label: "batches", interactive: true) { sink.text += $0 }
        progress.advance(by: 4)
        progress.finish()
        #expect(sink.text.hasPrefix("\r\u{1B}[Kbatches [##############################] 4/4 100%"))
        #expect(sink.text.hasSuffix("batches: done in " + sink.text.split(separator: " ").last!))
    }

    @Test func durationsReadNaturally() {
        #expect(Stopwatch.format(0.4213) == "0.42s")
        #expect(Stopwatch.format(12.34) == "12.3s")
        #expect(Stopwatch.format(245) == "4m 05s")
        #expect(Stopwatch.format(7380) == "2h 03m")
        var stopwatch = Stopwatch()
        #expect(stopwatch.elapsed >= 0 && stopwatch.reset() >= 0)
    }
}
