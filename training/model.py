"""The set model of the neural mixing policy (PyTorch), its loss and its model file.

Per stem i: h_i = encoder(norm(x_i)); context c = mean_j h_j over the song's stems;
o_i = head([h_i, c]). Outputs: relative loudness 10*o0 (LU, up to a common offset),
7 EQ band gains 6*tanh(o1..7) dB, pan tanh(o8). src/mixing/NeuralModel.cpp is the C++ twin.
"""
import torch
from torch import nn

import model_file

N_INPUTS = 33
N_EQ = 7
N_OUT = 2 + N_EQ
INPUT_NAMES = [
    "role_kick", "role_snare", "role_drums", "role_percussion", "role_bass", "role_keys", "role_piano",
    "role_synth", "role_pad", "role_guitar", "role_strings", "role_brass", "role_lead", "role_vocal",
    "role_backing_vocal", "role_fx", "role_other",
    "band_sub", "band_bass", "band_low_mid", "band_mid", "band_upper_mid", "band_presence", "band_brilliance", "band_air",
    "crest", "lra", "width", "correlation", "activity", "transients", "centroid", "stereo"]
ROLES = [n[5:] for n in INPUT_NAMES[:17]]


class SetPolicy(nn.Module):
    def __init__(self, hidden=48, mean=None, std=None):
        super().__init__()
        self.register_buffer("mean", torch.zeros(N_INPUTS) if mean is None else torch.as_tensor(mean))
        self.register_buffer("std", torch.ones(N_INPUTS) if std is None else torch.as_tensor(std))
        self.encoder = nn.Sequential(nn.Linear(N_INPUTS, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, N_OUT))

    def forward(self, x, mask):
        """x: (B, N, inputs), mask: (B, N) 1 for a stem, 0 for padding -> raw outputs (B, N, N_OUT)."""
        h = self.encoder((x - self.mean) / self.std)
        m = mask.unsqueeze(-1)
        context = (h * m).sum(1, keepdim=True) / m.sum(1, keepdim=True).clamp(min=1.0)
        return self.head(torch.cat([h, context.expand_as(h)], dim=-1))


def transform(o):
    return 10.0 * o[..., 0], 6.0 * torch.tanh(o[..., 1:1 + N_EQ]), torch.tanh(o[..., 1 + N_EQ])


def loss_terms(o, mask, rel, eq, pan, pan_mask, weight=None):
    """Mean squared errors: relative loudness (dB, song's common offset removed; optionally
    weighted per stem, e.g. by role rarity), EQ (dB), pan."""
    r, e, p = transform(o)
    d = (r - rel) * mask
    d = d - mask * (d.sum(1, keepdim=True) / mask.sum(1, keepdim=True))
    n = mask.sum()
    w = mask if weight is None else weight * mask
    l_rel = (w * d ** 2).sum() / w.sum().clamp(min=1e-9)
    l_eq = (((e - eq) ** 2).mean(-1) * mask).sum() / n
    pm = pan_mask * mask
    l_pan = (((p - pan) ** 2) * pm).sum() / pm.sum().clamp(min=1.0)
    return l_rel, l_eq, l_pan


def linear_layers(seq):
    """[(W, b, activation)] of an nn.Sequential of Linear and ReLU, as model_file.write takes them."""
    mods = list(seq)
    out = []
    for i, m in enumerate(mods):
        if isinstance(m, nn.Linear):
            act = "relu" if i + 1 < len(mods) and isinstance(mods[i + 1], nn.ReLU) else "linear"
            out.append((m.weight.detach().double().numpy(), m.bias.detach().double().numpy(), act))
    return out


def export(model, path, version, extra):
    """The model file pair: `path` (JSON header) and its .weights beside it (model_file.py)."""
    doc = {
        "version": version,
        "inputs": N_INPUTS,
        "outputs": N_OUT,
        "input_names": INPUT_NAMES,
        "input_mean": model.mean.double().tolist(),
        "input_std": model.std.double().tolist(),
        "output_transform": "relative_lu = 10*o[0]; eq_db[k] = 6*tanh(o[1+k]) at the centres of mixing bands 1..7 "
                            "(Q 1); pan = tanh(o[8]); context = mean of the encoder outputs over the song's stems",
    }
    doc.update(extra)
    model_file.write(path, doc, {"encoder": linear_layers(model.encoder), "head": linear_layers(model.head)})


def net_from(doc, layers):
    """A float64 SetPolicy holding a model file's normalisation and (dense) layers."""
    hidden = len(layers["encoder"][0][1])
    m = SetPolicy(hidden).double()
    m.mean = torch.tensor(doc["input_mean"], dtype=torch.float64)
    m.std = torch.tensor(doc["input_std"], dtype=torch.float64)
    for seq, part in ((m.encoder, "encoder"), (m.head, "head")):
        lin = [x for x in seq if isinstance(x, nn.Linear)]
        for mod, (w, b, _) in zip(lin, layers[part]):
            mod.weight.data = torch.tensor(w, dtype=torch.float64)
            mod.bias.data = torch.tensor(b, dtype=torch.float64)
    return m


def load(path):
    """(float64 SetPolicy, header doc) from a model file (for the C++/PyTorch parity check)."""
    doc, layers = model_file.read(path)
    return net_from(doc, layers), doc
