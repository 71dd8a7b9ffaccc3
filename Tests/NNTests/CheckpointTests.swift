import Foundation
import Testing
import Engine
import NN

/// A fresh scratch directory per test.
private func scratchDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A safetensors file from a header string and raw data bytes, built by hand from the spec.
private func handBuilt(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    let length = declaredLength ?? UInt64(json.count)
    return (0..<8).map { UInt8((length >> (8 * UInt64($0))) & 0xFF) } + json + data
}

private func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> (8 * UInt32($0))) & 0xFF) } }
}

private func write(_ bytes: [UInt8], in directory: URL, name: String = "file.safetensors") -> URL {
    let url = directory.appendingPathComponent(name)
    try! Data(bytes).write(to: url)
    return url
}

/// Whether `python3` can import safetensors and numpy (the interop tests need both).
private let pythonSafetensorsAvailable: Bool = runPython("import safetensors, numpy").status == 0

@discardableResult
private func runPython(_ script: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

@Suite struct CheckpointTests {
    @Test func roundTrip() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("round.safetensors")
        let tensors: [(String, Tensor)] = [
            ("a", sample([2, 3], seed: 1)), ("b.c", sample([5], seed: 2)), ("scalar", Tensor(scalar: 3.5)),
            ("empty", Tensor(zeros: [0, 4])),
        ]
        try saveSafetensors(tensors, metadata: ["epoch": "7", "note": "ünïcode"], to: url)
        let (loaded, metadata) = try loadSafetensors(from: url)
        #expect(metadata == ["epoch": "7", "note": "ünïcode"])
        #expect(Set(loaded.keys) == ["a", "b.c", "scalar", "empty"])
        for (name, tensor) in tensors {
            #expect(loaded[name]?.shape == tensor.shape)
            #expect(loaded[name]?.array == tensor.array)
        }
        // The data section starts 8-byte aligned; no temporary file is left behind.
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["round.safetensors"])
    }

    @Test func readsAHandBuiltFile() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let header = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},"#
            + #""i":{"dtype":"I64","shape":[1],"data_offsets":[28,36]}}  "#
        // b = (−1, 0.5), w = (1, 2, 3, 4), h = (1.5, −2) as binary16 (0x3E00, 0xC000), i = 42.
        let data = floatBytes([-1, 0.5, 1, 2, 3, 4]) + [0x00, 0x3E, 0x00, 0xC0] + [42, 0, 0, 0, 0, 0, 0, 0]
        let url = write(handBuilt(header: header, data: data), in: directory)
        let (tensors, metadata) = try loadSafetensors(from: url)
        #expect(metadata == ["format": "pt"])
        #expect(tensors["w"]?.shape == [2, 2] && tensors["w"]?.array == [1, 2, 3, 4])
        #expect(tensors["b"]?.array == [-1, 0.5])
        #expect(tensors["h"]?.array == [1.5, -2])
        #expect(tensors["i"]?.array == [42])
    }

    @Test func rejectsBadFiles() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let cases: [(String, [UInt8], (SafetensorsError) -> Bool)] = [
            ("short", [1, 0, 0], { if case .fileTooShort = $0 { true } else { false } }),
            ("length past end", handBuilt(header: good, data: floatBytes([1, 2]), declaredLength: 1000),
             { if case .headerLengthPastEnd = $0 { true } else { false } }),
            ("huge length", handBuilt(header: good, data: [], declaredLength: .max),
             { if case .headerLengthPastEnd = $0 { true } else { false } }),
            ("not json", handBuilt(header: "{not json", data: []), { if case .invalidHeader = $0 { true } else { false } }),
            ("not utf8", handBuilt(header: "", data: [0xFF, 0xFE], declaredLength: 2), { if case .invalidHeader = $0 { true } else { false } }),
            ("not object", handBuilt(header: "[1,2]", data: []), { if case .invalidHeader = $0 { true } else { false } }),
            ("offsets past data", handBuilt(header: good, data: floatBytes([1])),
             { if case .offsetsOutOfRange = $0 { true } else { false } }),
            ("reversed offsets", handBuilt(header: #"{"x":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: floatBytes([1, 2])),
             { if case .offsetsOutOfRange = $0 { true } else { false } }),
            ("size mismatch", handBuilt(header: #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: floatBytes([1, 2])),
             { if case .sizeMismatch = $0 { true } else { false } }),
            ("overlap", handBuilt(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                                  data: floatBytes([1, 2, 3])),
             { if case .overlappingData = $0 { true } else { false } }),
            ("unknown dtype", handBuilt(header: #"{"x":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: floatBytes([1, 2])),
             { if case .unsupportedDtype(_, "x", "C64") = $0 { true } else { false } }),
            ("missing shape", handBuilt(header: #"{"x":{"dtype":"F32","data_offsets":[0,4]}}"#, data: floatBytes([1])),
             { if case .invalidEntry = $0 { true } else { false } }),
            ("negative dim", handBuilt(header: #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: floatBytes([1])),
             { if case .invalidEntry = $0 { true } else { false } }),
            ("fractional offset", handBuilt(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, data: floatBytes([1, 2])),
             { if case .invalidEntry = $0 { true } else { false } }),
            ("bad metadata", handBuilt(header: #"{"__metadata__":{"k":1}}"#, data: []), { if case .invalidHeader = $0 { true } else { false } }),
        ]
        for (name, bytes, matches) in cases {
            let url = write(Array(bytes), in: directory, name: "\(name).safetensors")
            do {
                _ = try loadSafetensors(from: url)
                Issue.record("\(name): no error thrown")
            } catch let error as SafetensorsError {
                #expect(matches(error), "\(name): wrong error \(error)")
                #expect(error.description.contains(url.path), "\(name): message should name the file")
            }
        }
        #expect(throws: SafetensorsError.self) { try loadSafetensors(from: directory.appendingPathComponent("missing")) }
    }

    @Test func moduleStateDictRoundTrip() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let make = { (seed: UInt64) in
            Sequential(Linear(3, 4, generator: RandomGenerator(seed: seed)), ReLU(), Linear(4, 2, generator: RandomGenerator(seed: seed + 1)))
        }
        let original = make(1)
        try saveSafetensors(original.stateDict, to: url)
        let restored = make(100)
        let weight = restored.parameters[0]
        try restored.load(stateDict: try loadSafetensors(from: url).tensors)
        for ((n1, t1), (n2, t2)) in zip(original.stateDict, restored.stateDict) {
            #expect(n1 == n2 && t1.array == t2.array)
        }
        #expect(weight === restored.parameters[0], "loading must be in place")

        let state = Dictionary(uniqueKeysWithValues: original.stateDict)
        var missing = state; missing.removeValue(forKey: state.keys.sorted()[0])
        #expect(throws: StateDictError.missingKeys([state.keys.sorted()[0]])) { try restored.load(stateDict: missing) }
        try restored.load(stateDict: missing, strict: false)
        var extra = state; extra["surprise"] = Tensor(scalar: 1)
        #expect(throws: StateDictError.unexpectedKeys(["surprise"])) { try restored.load(stateDict: extra) }
        var wrongShape = state; let key = state.keys.sorted()[0]; wrongShape[key] = Tensor(zeros: [7])
        #expect(throws: StateDictError.self) { try restored.load(stateDict: wrongShape, strict: false) }
    }

    /// Saving model and Adam state mid-training and resuming gives the same parameters as not stopping.
    @Test func checkpointResumesTrainingExactly() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("training.safetensors")
        let x = sample([8, 3], seed: 5)
        let labels = [0, 1, 1, 0, 1, 0, 0, 1]
        func make() -> (Module, Adam) {
            let model = Sequential(Linear(3, 5, generator: RandomGenerator(seed: 9)), Tanh(), Linear(5, 2, generator: RandomGenerator(seed: 10)))
            return (model, Adam(parameters: model.parameters, learningRate: 0.01))
        }
        func train(_ model: Module, _ adam: Adam, steps: Int) {
            for _ in 0..<steps {
                adam.zeroGrad()
                crossEntropy(logits: model(x), labels: labels).backward()
                adam.step()
            }
        }
        let (straight, straightAdam) = make()
        train(straight, straightAdam, steps: 6)

        let (first, firstAdam) = make()
        train(first, firstAdam, steps: 3)
        firstAdam.learningRate = 0.02
        try Checkpoint.save(model: first, optimizer: firstAdam, metadata: ["epoch": "3"], to: url)
        let (resumed, resumedAdam) = make()
        let metadata = try Checkpoint.load(from: url, into: resumed, optimizer: resumedAdam)
        #expect(metadata["epoch"] == "3" && resumedAdam.learningRate == 0.02)
        resumedAdam.learningRate = 0.01
        train(resumed, resumedAdam, steps: 3)
        for (a, b) in zip(straight.parameters, resumed.parameters) { #expect(a.array == b.array) }
    }

    @Test(.enabled(if: pythonSafetensorsAvailable,
                   "python3 with safetensors and numpy is not available (pip install safetensors numpy)"))
    func pythonReadsWhatSwiftWrites() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("swift.safetensors")
        try saveSafetensors([("weight", Tensor(shape: [2, 3], values: [1, -2, 3.5, 0.25, 1e-8, -1e20])),
                             ("bias", Tensor(shape: [2], values: [7, 8]))], metadata: ["source": "swift"], to: url)
        let script = """
        import numpy as np
        from safetensors import safe_open
        with safe_open(r'\(url.path)', framework='np') as f:
            assert f.metadata() == {'source': 'swift'}, f.metadata()
            w, b = f.get_tensor('weight'), f.get_tensor('bias')
        assert w.dtype == np.float32 and w.shape == (2, 3), (w.dtype, w.shape)
        assert (w == np.array([[1, -2, 3.5], [0.25, 1e-8, -1e20]], dtype=np.float32)).all(), w
        assert (b == np.array([7, 8], dtype=np.float32)).all(), b
        print('ok')
        """
        let (status, output) = runPython(script)
        #expect(status == 0 && output.contains("ok"), "\(output)")
    }

    @Test(.enabled(if: pythonSafetensorsAvailable,
                   "python3 with safetensors and numpy is not available (pip install safetensors numpy)"))
    func swiftReadsWhatPythonWrites() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("python.safetensors")
        let script = """
        import numpy as np
        from safetensors.numpy import save_file
        save_file({'conv.weight': np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 8,
                   'half': np.array([0.5, -3, 65504], dtype=np.float16),
                   'double': np.array([[1e-3]], dtype=np.float64),
                   'count': np.array(12345, dtype=np.int64)},
                  r'\(url.path)', metadata={'framework': 'numpy'})
        """
        let (status, output) = runPython(script)
        try #require(status == 0, "\(output)")
        let (tensors, metadata) = try loadSafetensors(from: url)
        #expect(metadata == ["framework": "numpy"])
        #expect(tensors["conv.weight"]?.shape == [2, 3, 2, 2])
        #expect(tensors["conv.weight"]?.array == (0..<24).map { Float($0) / 8 })
        #expect(tensors["half"]?.array == [0.5, -3, 65504])
        #expect(tensors["double"]?.shape == [1, 1] && tensors["double"]?.array == [Float(1e-3)])
        #expect(tensors["count"]?.shape == [] && tensors["count"]?.item == 12345)
    }
}
