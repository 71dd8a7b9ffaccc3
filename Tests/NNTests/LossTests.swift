import Foundation
import Testing
import Engine
import NN

@Suite struct LossTests {
    let labels = [2, 0, 1, 2, 3]

    @Test(arguments: [Reduction.mean, .sum, .perExample])
    func crossEntropyGradient(_ reduction: Reduction) {
        let logits = sample([5, 4], seed: 2, spread: 2)
        let result = checkGradients(of: [logits]) { inputs in
            let loss = crossEntropy(logits: inputs[0], labels: labels, reduction: reduction)
            return reduction == .perExample ? projected(loss) : loss
        }
        #expect(result.passed, "\(result)")
    }

    /// The fused kernel agrees with the composed −Σ onehot · logSoftmax.
    @Test func crossEntropyMatchesComposedReference() {
        let logits = sample([5, 4], seed: 2, spread: 3)
        let oneHot = Tensor(zeros: [5, 4])
        for (n, y) in labels.enumerated() { oneHot.data[n * 4 + y] = 1 }
        let reference = -sum(logSoftmax(logits, axis: 1) * oneHot) / 5
        #expect(abs(crossEntropy(logits: logits, labels: labels).item - reference.item) < 1e-5)
        let nll = negativeLogLikelihood(logProbabilities: logSoftmax(logits, axis: 1), labels: labels)
        #expect(abs(nll.item - reference.item) < 1e-5)
    }

    @Test func crossEntropyIsFiniteAtExtremeLogits() {
        let logits = Tensor(shape: [3, 3], values: [1e4, -1e4, 0, -1e4, 1e4, -1e4, 1e4, 1e4, -1e4], requiresGrad: true)
        let loss = crossEntropy(logits: logits, labels: [0, 0, 2], reduction: .perExample)
        let values = loss.array
        #expect(values.allSatisfy { $0.isFinite }, "\(values)")
        #expect(abs(values[0]) < 1e-3)                           // right and confident
        #expect(abs(values[1] - 2e4) / 2e4 < 1e-5)                // wrong by 2e4
        #expect(abs(values[2] - (2e4 + Foundation.log(2))) / 2e4 < 1e-5)
        sum(loss).backward()
        #expect(logits.grad!.array.allSatisfy { $0.isFinite })
        #expect(abs(logits.grad!.array[3] + 1) < 1e-6 && abs(logits.grad!.array[4] - 1) < 1e-6)
    }

    @Test func negativeLogLikelihoodGradient() {
        let logProbabilities = sample([5, 4], seed: 5, center: -1)
        let result = checkGradients(of: [logProbabilities]) {
            negativeLogLikelihood(logProbabilities: $0[0], labels: labels, reduction: .sum)
        }
        #expect(result.passed, "\(result)")
    }

    @Test func binaryCrossEntropyWithLogitsGradientAndValue() {
        let logits = sample([3, 4], seed: 6, spread: 3)
        let targets = sample([3, 4], seed: 7, center: 0.5, spread: 0.5)
        let result = checkGradients(of: [logits, targets]) {
            binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1])
        }
        #expect(result.passed, "\(result)")
        // Against the textbook form −t log σ(x) − (1 − t) log(1 − σ(x)), fine at moderate x.
        let p = logits.array.map { 1 / (1 + Foundation.exp(-$0)) }
        let textbook = zip(p, targets.array).map { -$1 * Foundation.log($0) - (1 - $1) * Foundation.log(1 - $0) }
        let ours = binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .perExample).array
        #expect(zip(ours, textbook).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func binaryCrossEntropyIsFiniteAtExtremeLogits() {
        let logits = Tensor(shape: [4], values: [1e4, -1e4, 1e4, -1e4], requiresGrad: true)
        let targets = Tensor(shape: [4], values: [1, 0, 0, 1])
        let loss = binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .perExample)
        #expect(loss.array == [0, 0, 1e4, 1e4])
        sum(loss).backward()
        #expect(logits.grad!.array == [0, 0, 1, -1])
    }

    @Test func mseGradientAndValue() {
        let prediction = sample([3, 4], seed: 8)
        let target = sample([3, 4], seed: 9)
        let result = checkGradients(of: [prediction, target]) { mse($0[0], $0[1]) }
        #expect(result.passed, "\(result)")
        let expected = zip(prediction.array, target.array).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 12
        #expect(abs(mse(prediction, target).item - expected) < 1e-6)
    }

    @Test func gaussianNLLGradients() {
        let mean = sample([6], seed: 10)
        let target = sample([6], seed: 11)
        let variance = sample([6], seed: 12, center: 1, spread: 0.5)
        let result = checkGradients(of: [mean, target, variance]) {
            gaussianNLL(mean: $0[0], target: $0[1], variance: $0[2])
        }
        #expect(result.passed, "\(result)")
        let logVariance = sample([6], seed: 13, spread: 1)
        let logResult = checkGradients(of: [mean, target, logVariance]) {
            gaussianNLL(mean: $0[0], target: $0[1], logVariance: $0[2], reduction: .sum)
        }
        #expect(logResult.passed, "\(logResult)")
    }

    /// NLL = ½ log(2π) + ½ log σ² + (y − μ)² / (2σ²), the same under both parameterisations.
    @Test func gaussianNLLValue() {
        let (mu, y, variance): (Float, Float, Float) = (0.5, 2, 4)
        let expected = 0.5 * Foundation.log(2 * Float.pi) + 0.5 * Foundation.log(variance) + (y - mu) * (y - mu) / (2 * variance)
        let viaVariance = gaussianNLL(mean: Tensor(shape: [1], values: [mu]), target: Tensor(shape: [1], values: [y]),
                                      variance: Tensor(shape: [1], values: [variance]))
        let viaLog = gaussianNLL(mean: Tensor(shape: [1], values: [mu]), target: Tensor(shape: [1], values: [y]),
                                 logVariance: Tensor(shape: [1], values: [Foundation.log(variance)]))
        #expect(abs(viaVariance.item - expected) < 1e-6)
        #expect(abs(viaLog.item - expected) < 1e-6)
    }

    @Test func accuracyCountsArgmax() {
        let logits = Tensor(shape: [4, 3], values: [1, 2, 3, 5, 0, 0, 0, 9, 1, 2, 2, 0])
        #expect(argmax(logits) == [2, 0, 1, 0])
        #expect(accuracy(logits: logits, labels: [2, 0, 0, 1]) == 0.5)
    }
}
