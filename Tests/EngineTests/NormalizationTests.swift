import Foundation
import Testing
import Engine

@Suite struct NormalizationTests {
    @Test func batchNormTrainingGradients() {
        let x = sample([3, 2, 3, 2], seed: 1, center: 0.5)
        let gamma = sample([2], seed: 2, center: 1, spread: 0.5), beta = sample([2], seed: 3)
        let (rm, rv) = (Tensor(zeros: [2]), Tensor(shape: [2], repeating: 1))
        let result = checkGradients(of: [x, gamma, beta]) {
            projected(batchNorm2d($0[0], gamma: $0[1], beta: $0[2], runningMean: rm, runningVariance: rv, training: true))
        }
        #expect(result.passed, "\(result)")
    }

    @Test func batchNormTrainingNormalisesAndUpdatesRunningStatistics() {
        let (n, c, s) = (4, 3, 5)
        let x = sample([n, c, 1, s], seed: 4, center: 2, spread: 3)
        let gamma = Tensor(shape: [c], values: [1, 2, 0.5]), beta = Tensor(shape: [c], values: [0, 1, -1])
        let rm = Tensor(shape: [c], values: [0.5, -0.5, 0]), rv = Tensor(shape: [c], values: [1, 2, 3])
        let (oldMean, oldVariance) = (rm.array, rv.array)
        let y = batchNorm2d(x, gamma: gamma, beta: beta, runningMean: rm, runningVariance: rv, training: true, momentum: 0.1)
        for channel in 0..<c {
            let values = (0..<n).flatMap { image in (0..<s).map { Double(x.data[(image * c + channel) * s + $0]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let biased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            let unbiased = biased * Double(values.count) / Double(values.count - 1)
            #expect(Swift.abs(Double(rm.data[channel]) - (0.9 * Double(oldMean[channel]) + 0.1 * mean)) < 1e-5)
            #expect(Swift.abs(Double(rv.data[channel]) - (0.9 * Double(oldVariance[channel]) + 0.1 * unbiased)) < 1e-4)
            for image in 0..<n {
                for q in 0..<s {
                    let i = (image * c + channel) * s + q
                    let expected = Double(gamma.data[channel]) * (Double(x.data[i]) - mean) / (biased + 1e-5).squareRoot() + Double(beta.data[channel])
                    #expect(Swift.abs(Double(y.data[i]) - expected) < 1e-4)
                }
            }
        }
    }

    @Test func batchNormEvalUsesRunningStatistics() {
        let x = sample([2, 2, 2, 3], seed: 5)
        let gamma = Tensor(shape: [2], values: [1.5, -1]), beta = Tensor(shape: [2], values: [0.25, 2])
        let rm = Tensor(shape: [2], values: [0.1, -0.3]), rv = Tensor(shape: [2], values: [0.5, 2])
        let y = batchNorm2d(x, gamma: gamma, beta: beta, runningMean: rm, runningVariance: rv, training: false)
        #expect(rm.array == [0.1, -0.3] && rv.array == [0.5, 2], "eval must not touch the running buffers")
        for i in 0..<x.count {
            let channel = (i / 6) % 2
            let expected = gamma.data[channel] * (x.data[i] - rm.data[channel]) / (rv.data[channel] + 1e-5).squareRoot() + beta.data[channel]
            #expect(Swift.abs(y.data[i] - expected) < 1e-5)
        }
        let result = checkGradients(of: [x, gamma, beta]) {
            projected(batchNorm2d($0[0], gamma: $0[1], beta: $0[2], runningMean: rm, runningVariance: rv, training: false))
        }
        #expect(result.passed, "\(result)")
    }

    @Test func batchNormOnFeatureVectors() {
        // [N, C] is BatchNorm1d: each column normalised over the batch.
        let x = sample([6, 3], seed: 6)
        let (gamma, beta) = (Tensor(shape: [3], repeating: 1), Tensor(zeros: [3]))
        let y = batchNorm2d(x, gamma: gamma, beta: beta, runningMean: Tensor(zeros: [3]), runningVariance: Tensor(zeros: [3]), training: true)
        let columnMeans = mean(y, axes: [0], keepDims: false).array
        for m in columnMeans { #expect(Swift.abs(m) < 1e-5) }
        let result = checkGradients(of: [x]) {
            projected(batchNorm2d($0[0], gamma: gamma, beta: beta, runningMean: Tensor(zeros: [3]), runningVariance: Tensor(zeros: [3]), training: true))
        }
        #expect(result.passed, "\(result)")
    }

    @Test func dropoutMaskScaleAndGradient() {
        let x = sample([100, 100], seed: 7, center: 1, spread: 0.5)
        x.requiresGrad = true
        let y = dropout(x, probability: 0.3, generator: RandomGenerator(seed: 11))
        var dropped = 0
        for i in 0..<x.count {
            if y.data[i] == 0 { dropped += 1 } else { #expect(Swift.abs(y.data[i] - x.data[i] / 0.7) < 1e-5) }
        }
        let fraction = Double(dropped) / Double(x.count)
        #expect(Swift.abs(fraction - 0.3) < 0.02, "dropped fraction \(fraction)")
        sum(y).backward()
        let grad = x.grad!.array
        // x is in [0.5, 1.5], so y = 0 exactly where the unit was dropped.
        for i in 0..<x.count { #expect(y.data[i] == 0 ? grad[i] == 0 : Swift.abs(grad[i] - 1 / 0.7) < 1e-6) }
        // The same seed gives the same mask; another seed another one.
        let again = dropout(x.detached(), probability: 0.3, generator: RandomGenerator(seed: 11))
        #expect(again.array == y.array)
        #expect(dropout(x.detached(), probability: 0.3, generator: RandomGenerator(seed: 12)).array != y.array)
        #expect(dropout(x, probability: 0, generator: RandomGenerator(seed: 1)) === x)
    }
}
