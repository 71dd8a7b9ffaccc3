import Testing
import Foundation
import Notebook

/// Chapter 2 end to end on tiny MNIST subsets (needs MNIST under $BAYES_DATA or ../shared/data).
@Suite(.serialized) struct Chapter2Tests {
    @Test(.enabled(if: ChapterRunner.hasData(["mnist/train-images-idx3-ubyte"]), "MNIST not found under $BAYES_DATA or ../shared/data"))
    func smokeProfileWritesFiguresResultsAndShowsTheVarianceGap() throws {
        let (results, output) = try ChapterRunner.run(2, ["--profile", "smoke", "--seed", "5"])
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(results.profile == "smoke" && results.seed == 5 && results.chapter == 2)
        for figure in ["learning-curves", "step-time", "gradient-variance", "gradient-variance-initial", "kl-monte-carlo"] {
            for suffix in ["png", "gp", "dat"] {
                let path = output.appendingPathComponent("\(figure).\(suffix)").path
                #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
            }
        }
        let png = try Data(contentsOf: output.appendingPathComponent("gradient-variance.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

        // Independent noise per example: LRT's gradient of the fully connected layers' means is far
        // less noisy than BBB's shared weight sample, at the initial and at the trained posterior.
        for point in ["initial", "trained"] {
            for layer in ["fc1", "fc2", "fc3"] {
                let bbb = ChapterRunner.number(results, "gradientVariance.\(point).bbb.\(layer)")
                let lrt = ChapterRunner.number(results, "gradientVariance.\(point).lrt.\(layer)")
                let flipout = ChapterRunner.number(results, "gradientVariance.\(point).flipout.\(layer)")
                #expect(lrt > 0 && lrt * 2 < bbb, "\(point) \(layer): LRT \(lrt) vs BBB \(bbb)")
                #expect(flipout > 0 && flipout < bbb, "\(point) \(layer): Flipout \(flipout) vs BBB \(bbb)")
            }
        }
        // 40 steps are too few to learn much (that takes the default profile); check the records are sane.
        for net in ["bbb", "lrt", "flipout", "frequentist"] {
            let accuracy = ChapterRunner.number(results, "\(net).testAccuracy")
            #expect(accuracy >= 0 && accuracy <= 1, "\(net) test accuracy \(accuracy)")
            #expect(ChapterRunner.number(results, "\(net).stepMilliseconds") > 0)
        }
        // The Monte Carlo KL is unbiased: its 10-sample mean lies within 4 standard errors of the closed form.
        let closedForm = ChapterRunner.number(results, "kl.closedForm")
        let mean = ChapterRunner.number(results, "kl.S10.mean")
        let standardError = ChapterRunner.number(results, "kl.S10.sd") / Double(20).squareRoot()
        #expect(Swift.abs(mean - closedForm) < 4 * standardError + 1e-3 * Swift.abs(closedForm),
                "MC KL \(mean) vs closed form \(closedForm)")
    }
}
