import Testing
import Foundation
import Notebook

let chapter4HasData = ChapterRunner.hasData(["mnist/train-images-idx3-ubyte", "notmnist/t10k-images-idx3-ubyte"])

@Suite(.serialized) struct Chapter4Tests {
    /// The smoke profile end to end on the real data: every figure and sheet written as a PNG,
    /// the uncertainties non-negative, AUROC, AUPR and ECE in [0, 1].
    @Test(.enabled(if: chapter4HasData, "MNIST or notMNIST not found under $BAYES_DATA or ../shared/data"))
    func smokeProfileWritesFiguresAndSaneMetrics() throws {
        let (results, output) = try ChapterRunner.run(4, ["--profile", "smoke", "--seed", "3", "--data-dir", ChapterRunner.dataDirectory])
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(results.chapter == 4 && results.profile == "smoke" && results.seed == 3)

        var pngs = ["training-uncertainty", "training-accuracy", "training-sigma", "example-images",
                    "mnist-most-uncertain", "mnist-least-uncertain", "notmnist-most-uncertain", "notmnist-least-uncertain",
                    "reliability-mnist", "rejection-mnist"]
        for score in ["aleatoric", "epistemic", "aleatoricAtPrediction", "epistemicAtPrediction", "predictiveEntropy",
                      "expectedEntropy", "mutualInformation"] { pngs.append("ood-\(score)") }
        for term in ["epistemic", "aleatoric"] {
            pngs.append("ood-\(term)-normalized")
            for method in ["softmax", "normalized"] { pngs.append("example-\(term)-\(method)") }
        }
        for name in pngs {
            let url = output.appendingPathComponent("\(name).png")
            let data = try? Data(contentsOf: url)
            #expect(data?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true, "missing or not a PNG: \(url.path)")
        }

        for dataset in ["mnist", "cifar10"] where results.metric("uncertainty.\(dataset)") != nil {
            for key in ["mean_softmax", "mean_normalized", "trace_softmax", "predicted_softmax"] {
                for term in ["aleatoric", "epistemic"] {
                    let value = ChapterRunner.number(results, "uncertainty.\(dataset).\(key).\(term)")
                    #expect(value >= 0 && value <= 1, "\(dataset) \(key) \(term) = \(value)")
                }
            }
            // Local reparameterization: every copy has its own noise, so the epistemic term is positive.
            #expect(ChapterRunner.number(results, "uncertainty.\(dataset).trace_softmax.epistemic") > 0)
        }
        for key in ["aleatoric_softmax", "epistemic_normalized", "predictiveEntropy_softmax", "mutualInformation_softmax",
                    "frequentistEntropy", "best"] {
            for measure in ["auroc", "aupr"] {
                let value = ChapterRunner.number(results, "ood.\(key).\(measure)")
                #expect(value >= 0 && value <= 1, "ood \(key) \(measure) = \(value)")
            }
        }
        for kind in ["bayesian", "frequentist"] {
            let ece = ChapterRunner.number(results, "calibration.mnist.\(kind).ece")
            #expect(ece >= 0 && ece <= 1, "\(kind) ECE \(ece)")
            #expect(ChapterRunner.number(results, "calibration.mnist.\(kind).nll") >= 0)
            let brier = ChapterRunner.number(results, "calibration.mnist.\(kind).brier")
            #expect(brier >= 0 && brier <= 2)
        }
        // The measurement before training and after the one smoke epoch.
        #expect(ChapterRunner.number(results, "training.mnist.epistemic.initial") >= 0)
        #expect(ChapterRunner.number(results, "training.mnist.aleatoric.last") >= 0)
        if case let .string(table)? = results.metric("table") {
            #expect(table.contains("0.0096") && table.contains("0.0026"))     // the paper's MNIST values beside ours
        } else {
            Issue.record("no table in results.json")
        }
    }
}
