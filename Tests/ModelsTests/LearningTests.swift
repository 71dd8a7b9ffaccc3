import Testing
import Foundation
import Engine
import NN
import Datasets
import Models

/// Real data: `$BAYES_DATA`, else ../shared/data beside the package root.
let dataLocation: DataLocation = {
    if let path = ProcessInfo.processInfo.environment["BAYES_DATA"], !path.isEmpty { return DataLocation(path: path) }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return DataLocation(root: root.appendingPathComponent("../shared/data").standardizedFileURL)
}()
let mnistPresent = FileManager.default.fileExists(atPath: dataLocation.folder(for: .mnist).appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)

@Suite struct LearningTests {
    /// A frequentist LeNet-5 trained a few hundred Adam steps on real MNIST digits classifies
    /// held-out test digits with at least 95% accuracy.
    @Test(.enabled(if: mnistPresent, "MNIST not found under $BAYES_DATA or ../shared/data"))
    func frequentistLeNetLearnsMNIST() throws {
        let generator = RandomGenerator(seed: 7)
        let train = try MNIST.load(split: .train, from: dataLocation)
        let test = try MNIST.load(split: .test, from: dataLocation)
        let model = LeNet5(activation: .relu, layers: LayerFactory(.frequentist, generator: generator))
        let optimizer = Adam(parameters: model.parameters, learningRate: 2e-3)
        let loader = DataLoader(dataset: train, batchSize: 128, transform: .mnistLeNet, generator: generator)
        var steps = 0
        for batch in loader.epoch() where steps < 300 {
            optimizer.zeroGrad()
            crossEntropy(logits: model(batch.images), labels: batch.labels).backward()
            optimizer.step()
            steps += 1
        }
        model.eval()
        let held = test.batch(Array(0..<2000), transform: .mnistLeNet)
        let heldAccuracy = withoutGradient { accuracy(logits: model(held.images), labels: held.labels) }
        #expect(heldAccuracy >= 0.95, "accuracy on 2000 test digits after \(steps) steps: \(heldAccuracy)")
    }
}
