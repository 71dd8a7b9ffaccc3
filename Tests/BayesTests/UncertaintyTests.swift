import Testing
import Foundation
import Engine
import NN
import Bayes

/// [T, N, C] probabilities from nested arrays probabilities[t][n] = p̂_t for example n.
func monteCarloProbabilities(_ rows: [[[Float]]]) -> Tensor {
    let (t, n, c) = (rows.count, rows[0].count, rows[0][0].count)
    return Tensor(shape: [t, n, c], values: rows.flatMap { $0.flatMap { $0 } })
}

func close(_ a: Float, _ b: Float, _ tolerance: Float = 1e-5) -> Bool { Swift.abs(a - b) <= tolerance }

@Suite struct UncertaintyTests {
    @Test func identicalSamplesHaveNoEpistemicUncertainty() {
        let p: [Float] = [0.7, 0.2, 0.1]
        let probabilities = monteCarloProbabilities(Array(repeating: [p, [0.25, 0.25, 0.5]], count: 5))
        let split = varianceDecomposition(probabilities: probabilities)
        #expect(split.epistemic.array.allSatisfy { close($0, 0) })
        #expect(split.epistemicTrace.allSatisfy { close($0, 0) })
        // aleatoric_c = p_c (1 − p_c)
        for (c, q) in p.enumerated() { #expect(close(split.aleatoric.array[c], q * (1 - q))) }
        #expect(split.predictedClass == [0, 2])
        let information = informationDecomposition(probabilities: probabilities)
        #expect(information.mutualInformation.allSatisfy { close($0, 0) })
        let entropy = -p.reduce(Float(0)) { $0 + $1 * Foundation.log($1) }
        #expect(close(information.predictiveEntropy[0], entropy))
        #expect(close(information.expectedEntropy[0], entropy))
    }

    @Test func oneHotPredictionsHaveNoAleatoricUncertainty() {
        let probabilities = monteCarloProbabilities([[[0, 1, 0]], [[0, 1, 0]], [[0, 1, 0]]])
        let split = varianceDecomposition(probabilities: probabilities)
        #expect(split.aleatoric.array.allSatisfy { $0 == 0 })
        #expect(split.epistemic.array.allSatisfy { $0 == 0 })
        #expect(informationDecomposition(probabilities: probabilities).predictiveEntropy == [0])
    }

    @Test func twoDisagreeingConfidentSamples() {
        // p̂_1 = [1, 0], p̂_2 = [0, 1]: p̄ = [½, ½], each sample certain (aleatoric 0),
        // epistemic_c = ½((1 − ½)² + (0 − ½)²) = ¼; entropy: H[p̄] = log 2, expected 0, MI = log 2.
        let probabilities = monteCarloProbabilities([[[1, 0]], [[0, 1]]])
        let split = varianceDecomposition(probabilities: probabilities)
        #expect(split.predictive.array == [0.5, 0.5])
        #expect(split.aleatoric.array == [0, 0])
        #expect(split.epistemic.array == [0.25, 0.25])
        #expect(split.epistemicTrace == [0.5])
        #expect(split.epistemicAtPrediction == [0.25])
        let matrices = varianceMatrices(probabilities: probabilities, example: 0)
        #expect(matrices.epistemic.array == [0.25, -0.25, -0.25, 0.25])
        #expect(matrices.aleatoric.array == [0, 0, 0, 0])
        let information = informationDecomposition(probabilities: probabilities)
        #expect(close(information.predictiveEntropy[0], Foundation.log(2)))
        #expect(information.expectedEntropy == [0])
        #expect(close(information.mutualInformation[0], Foundation.log(2)))
    }

    @Test func totalVarianceIdentity() {
        // aleatoric + epistemic = diag(p̄) − p̄ p̄ᵀ, on the diagonal p̄ (1 − p̄), for any samples.
        let logits = Tensor.randomNormal([7, 4, 5], std: 2, generator: RandomGenerator(seed: 3))
        for method in ProbabilityMethod.allCases {
            let probabilities = classProbabilities(logits: logits, method: method)
            for row in 0..<(7 * 4) {          // each p̂_t sums to one
                #expect(close(probabilities.array[(row * 5)..<(row * 5 + 5)].reduce(0, +), 1))
            }
            let split = varianceDecomposition(logits: logits, method: method)
            #expect(split.predictive.array.enumerated().allSatisfy { i, _ in
                close(split.aleatoric.array[i] + split.epistemic.array[i], split.predictive.array[i] * (1 - split.predictive.array[i]))
            })
            let matrices = varianceMatrices(probabilities: probabilities, example: 2)
            let pbar = Array(split.predictive.array[10..<15])
            for j in 0..<5 {
                for k in 0..<5 {
                    let total = matrices.aleatoric.array[j * 5 + k] + matrices.epistemic.array[j * 5 + k]
                    #expect(close(total, (j == k ? pbar[j] : 0) - pbar[j] * pbar[k]))
                }
                #expect(close(matrices.aleatoric.array[j * 5 + j], split.aleatoric.array[10 + j]))
                #expect(close(matrices.epistemic.array[j * 5 + j], split.epistemic.array[10 + j]))
            }
            let information = informationDecomposition(probabilities: probabilities)
            #expect(information.mutualInformation.allSatisfy { $0 >= 0 })
        }
    }

    @Test func probabilityMethods() {
        let logits = Tensor(shape: [1, 1, 3], values: [1, 0, -2])
        let soft = classProbabilities(logits: logits, method: .softmax).array
        let expSum = Foundation.exp(Float(1)) + 1 + Foundation.exp(Float(-2))
        #expect(close(soft[0], Foundation.exp(Float(1)) / expSum))
        let normalized = classProbabilities(logits: logits, method: .normalized).array
        let sp: [Float] = [softplus(Float(1)), softplus(Float(0)), softplus(Float(-2))]
        let total = sp.reduce(0, +)
        for k in 0..<3 { #expect(close(normalized[k], sp[k] / total)) }
    }

    @Test func bayesByBackpropGivesEpistemicUncertaintyThroughPredict() {
        // A small Bayes-by-Backprop net: each of the T passes of `predict` draws its own weights,
        // so the T probability vectors of an example differ and the epistemic term is > 0.
        let generator = RandomGenerator(seed: 11)
        let initialization = PosteriorInitialization(rhoMean: -2)
        let model = Sequential(
            BayesLinear(16, 12, estimator: .weightSampling, initialization: initialization, generator: generator),
            Lambda { relu($0) },
            BayesLinear(12, 4, estimator: .weightSampling, initialization: initialization, generator: generator))
        model.eval()
        let x = Tensor.randomNormal([6, 16], generator: RandomGenerator(seed: 12))
        let probabilities = predict(model, x, samples: 10)
        #expect(probabilities.shape == [10, 6, 4])
        let split = varianceDecomposition(probabilities: probabilities)
        #expect(split.epistemicTrace.allSatisfy { $0 > 1e-6 })
        #expect(informationDecomposition(probabilities: probabilities).mutualInformation.allSatisfy { $0 > 0 })
        // At the posterior means there is no spread left.
        model.setSampling(.mean)
        #expect(varianceDecomposition(probabilities: predict(model, x, samples: 4)).epistemicTrace.allSatisfy { close($0, 0, 1e-9) })
    }
}
