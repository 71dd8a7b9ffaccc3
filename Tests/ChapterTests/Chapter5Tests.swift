import Testing
import Foundation
import Notebook

let chapter5HasData = ChapterRunner.hasData(["mnist/train-images-idx3-ubyte"])

@Suite(.serialized) struct Chapter5Tests {
    /// The smoke profile end to end on real MNIST: every figure and picture written as a PNG, the
    /// curves' accuracies in [0, 1], pruning 0% equal to the unpruned net's accuracy on the same
    /// images, the sparse checkpoint smaller than the dense one at 99% removed.
    @Test(.enabled(if: chapter5HasData, "MNIST not found under $BAYES_DATA or ../shared/data"))
    func smokeProfileWritesFiguresAndSaneMetrics() throws {
        let (results, output) = try ChapterRunner.run(5, ["--profile", "smoke", "--seed", "2", "--data-dir", ChapterRunner.dataDirectory])
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(results.chapter == 5 && results.profile == "smoke" && results.seed == 2)

        var pngs = ["conv1-mean-mnist-lenet5", "conv1-kept-magnitude-mnist-lenet5", "conv1-kept-snr-mnist-lenet5"]
        for model in ["lenet5", "alexnet"] { pngs += ["pruning-mnist-\(model)", "snr-mnist-\(model)"] }
        for name in pngs {
            let url = output.appendingPathComponent("\(name).png")
            let data = try? Data(contentsOf: url)
            #expect(data?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true, "missing or not a PNG: \(url.path)")
        }
        for model in ["lenet5", "alexnet"] {
            let key = "mnist_\(model)"
            for name in ["magnitude_0", "magnitude_90", "snr_0", "snr_99", "l1_50", "tuned_snr_90", "tuned_magnitude_90",
                         "testAccuracy", "l1.fineTunedAccuracy"] {
                let value = ChapterRunner.number(results, "\(key).\(name)")
                #expect(value >= 0 && value <= 1, "\(key).\(name) = \(value)")
            }
            // Pruning 0% is the unpruned net: both criteria give the same accuracy there.
            #expect(ChapterRunner.number(results, "\(key).magnitude_0") == ChapterRunner.number(results, "\(key).snr_0"))
            let removed = ChapterRunner.number(results, "\(key).l1.removedBelowThreshold")
            #expect(removed >= 0 && removed <= 1)
            let dense = ChapterRunner.number(results, "\(key).storage_99.dense")
            let sparse = ChapterRunner.number(results, "\(key).storage_99.sparse")
            #expect(sparse > 0 && sparse * 5 < dense, "\(key): sparse \(sparse) B, dense \(dense) B at 99% removed")
            #expect(ChapterRunner.number(results, "\(key).speed_\(model).imagesPerSecond") > 0)
        }
        #expect(ChapterRunner.number(results, "mnist_alexnet.half.weights") < ChapterRunner.number(results, "mnist_alexnet.weights") / 2)
        if case let .string(table)? = results.metric("table") {
            #expect(table.contains("| AlexNet | 99 |") && table.contains("| 73 |"))     // the paper's numbers beside ours
        } else {
            Issue.record("no table in results.json")
        }
    }
}
