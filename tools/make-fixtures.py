#!/usr/bin/python3
"""Golden fixtures for the TypeScript engine: a tiny random Llama with LoRA adapters.

Run with Debian's Python and python3-torch (no pip packages):

    /usr/bin/python3 tools/make-fixtures.py

It writes tests/fixtures/llama-tiny/, llama-tiny-tied/, llama-tiny-nf4/ and llama-pretrain-grad/ (see
tests/fixtures/README.md). The outputs are committed; CI never runs this.

The Llama forward is written out here rather than taken from `transformers` (not packaged in
Debian) and follows Hugging Face's LlamaForCausalLM (modeling_llama.py) step for step:
embedding, RMSNorm (x * rsqrt(mean(x^2) + eps) * weight), rotate-half RoPE with inv_freq =
theta^(-2i/d), grouped-query attention (KV head h // n_rep), causal mask, 1/sqrt(head_dim)
scaling, SwiGLU MLP down(silu(gate(x)) * up(x)), final norm, lm_head (or the tied embedding).
LoRA follows PEFT: y = W x + (lora_alpha / r) * B (A x), dropout off at evaluation.

Everything is computed in float64 from parameters that are exactly representable in f32 (they are
rounded to f32 first), and stored as f32. The safetensors writer is inline for the same reason.
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures')
SEED = 20240601

CONFIG = {
    'architectures': ['LlamaForCausalLM'],
    'model_type': 'llama',
    'vocab_size': 32,
    'hidden_size': 16,
    'intermediate_size': 24,
    'num_hidden_layers': 2,
    'num_attention_heads': 4,
    'num_key_value_heads': 2,
    'head_dim': 4,
    'hidden_act': 'silu',
    # Not the default 10000, so an engine that ignores the config's theta fails the comparison.
    'rope_theta': 500.0,
    'rms_norm_eps': 1e-5,
    'tie_word_embeddings': False,
    'max_position_embeddings': 64,
    'attention_bias': False,
    'mlp_bias': False,
    'bos_token_id': 1,
    'eos_token_id': 2,
    'torch_dtype': 'float32',
}
LORA_R = 4
LORA_ALPHA = 8
TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']

# Row 0 counts every target (its t = 0 entry is 1 on purpose: position 0 is never a target and
# must be ignored); row 1 has a partial mask.
TOKENS = {
    'input_ids': [[1, 7, 30, 12, 5, 19, 2], [1, 22, 3, 3, 17, 9, 28]],
    'loss_mask': [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 0, 1]],
}

# --- NF4, identical to src/nn/nf4.ts (see the layout notes there) ---------------------------
NF4_CODE_VALUES = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=np.float32)
NF4_BLOCK = 64
NF4_MID = (NF4_CODE_VALUES[:-1].astype(np.float64) + NF4_CODE_VALUES[1:].astype(np.float64)) / 2


def nf4_quantize(w):
    """Row-major f32 weight -> (packed codes uint8, absmax f32, dequantized f32 same shape)."""
    flat = np.ascontiguousarray(w, dtype=np.float32).reshape(-1)
    n = flat.size
    blocks = (n + NF4_BLOCK - 1) // NF4_BLOCK
    codes = np.zeros(n, dtype=np.uint8)
    absmax = np.zeros(blocks, dtype=np.float32)
    for b in range(blocks):
        seg = flat[b * NF4_BLOCK:(b + 1) * NF4_BLOCK]
        m = np.max(np.abs(seg))
        absmax[b] = m
        if m == 0:
            codes[b * NF4_BLOCK:(b + 1) * NF4_BLOCK] = 7
            continue
        normalized = (seg / m).astype(np.float32)  # one correctly rounded f32 division, as fround(w / m)
        codes[b * NF4_BLOCK:(b + 1) * NF4_BLOCK] = (normalized.astype(np.float64)[:, None] > NF4_MID[None, :]).sum(axis=1)
    padded = np.concatenate([codes, np.zeros(n % 2, dtype=np.uint8)])
    packed = (padded[0::2] << 4) | padded[1::2]  # element 2k high nibble, 2k+1 low nibble
    scale = absmax[np.arange(n) // NF4_BLOCK]
    dequantized = (NF4_CODE_VALUES[codes] * scale).astype(np.float32)  # f32 product
    return packed.astype(np.uint8), absmax, dequantized.reshape(w.shape)


# --- safetensors writer (f32 only; header padded to 8 bytes like the reference writer) -----
def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy() if torch.is_tensor(t) else t, dtype='<f4')
        data = a.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_json(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=2)
        f.write('\n')


# --- parameters ----------------------------------------------------------------------------
def f32_exact(t):
    """float64 tensor holding values exactly representable in f32 (the values that get stored)."""
    return t.to(torch.float32).to(torch.float64)


def make_params(cfg, gen):
    h, i, v = cfg['hidden_size'], cfg['intermediate_size'], cfg['vocab_size']
    hd = cfg['head_dim']
    kv = cfg['num_key_value_heads'] * hd
    q = cfg['num_attention_heads'] * hd

    def linear(out_f, in_f):
        # Larger than HF's 0.02 init so logits are far from uniform and gradients far from zero.
        return f32_exact(torch.randn(out_f, in_f, generator=gen, dtype=torch.float64) / math.sqrt(in_f))

    def norm(n):
        return f32_exact(1 + 0.2 * torch.randn(n, generator=gen, dtype=torch.float64))

    # Std 0.3 keeps the tied variant's logits (normed hidden · embedding) in a trainable range.
    p = {'model.embed_tokens.weight': f32_exact(0.3 * torch.randn(v, h, generator=gen, dtype=torch.float64))}
    shapes = {'q_proj': (q, h), 'k_proj': (kv, h), 'v_proj': (kv, h), 'o_proj': (h, q),
              'gate_proj': (i, h), 'up_proj': (i, h), 'down_proj': (h, i)}
    for layer in range(cfg['num_hidden_layers']):
        pre = f'model.layers.{layer}.'
        p[pre + 'input_layernorm.weight'] = norm(h)
        for name in TARGETS:
            group = 'self_attn' if name in ('q_proj', 'k_proj', 'v_proj', 'o_proj') else 'mlp'
            p[f'{pre}{group}.{name}.weight'] = linear(*shapes[name])
        p[pre + 'post_attention_layernorm.weight'] = norm(h)
    p['model.norm.weight'] = norm(h)
    p['lm_head.weight'] = linear(v, h)
    return p


def base_linear_keys(cfg):
    keys = []
    for layer in range(cfg['num_hidden_layers']):
        for name in TARGETS:
            group = 'self_attn' if name in ('q_proj', 'k_proj', 'v_proj', 'o_proj') else 'mlp'
            keys.append(f'model.layers.{layer}.{group}.{name}.weight')
    return keys


def make_adapter(cfg, params, gen):
    """PEFT-keyed LoRA tensors; B is non-zero (PEFT would start it at 0) so gradients reach A."""
    adapter = {}
    for key in base_linear_keys(cfg):
        out_f, in_f = params[key].shape
        stem = 'base_model.model.' + key[:-len('.weight')]
        adapter[stem + '.lora_A.weight'] = f32_exact(torch.randn(LORA_R, in_f, generator=gen, dtype=torch.float64) / math.sqrt(in_f))
        adapter[stem + '.lora_B.weight'] = f32_exact(0.3 * torch.randn(out_f, LORA_R, generator=gen, dtype=torch.float64))
    return adapter


# --- the Llama forward (float64) -----------------------------------------------------------
def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(cfg, seq_len):
    hd = cfg['head_dim']
    inv_freq = 1.0 / (cfg['rope_theta'] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.arange(seq_len, dtype=torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def forward(cfg, params, adapter, input_ids):
    """Logits [B, T, V]. `params` holds the (possibly dequantized) base weights."""
    scaling = LORA_ALPHA / LORA_R
    bsz, seq = input_ids.shape
    nh, nkv, hd = cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['head_dim']
    eps = cfg['rms_norm_eps']

    def lin(key, x):
        y = x @ params[key].T
        if adapter is not None:
            stem = 'base_model.model.' + key[:-len('.weight')]
            a, b = adapter[stem + '.lora_A.weight'], adapter[stem + '.lora_B.weight']
            y = y + scaling * ((x @ a.T) @ b.T)
        return y

    cos, sin = rope_cos_sin(cfg, seq)
    causal = torch.full((seq, seq), float('-inf'), dtype=torch.float64).triu(1)
    h = params['model.embed_tokens.weight'][input_ids]
    for layer in range(cfg['num_hidden_layers']):
        pre = f'model.layers.{layer}.'
        x = rms_norm(h, params[pre + 'input_layernorm.weight'], eps)
        q = lin(pre + 'self_attn.q_proj.weight', x).view(bsz, seq, nh, hd).transpose(1, 2)
        k = lin(pre + 'self_attn.k_proj.weight', x).view(bsz, seq, nkv, hd).transpose(1, 2)
        v = lin(pre + 'self_attn.v_proj.weight', x).view(bsz, seq, nkv, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = nh // nkv  # repeat_kv: query head j reads KV head j // rep
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = (q @ k.transpose(2, 3)) / math.sqrt(hd) + causal
        attn = torch.softmax(scores, dim=-1) @ v
        attn = attn.transpose(1, 2).reshape(bsz, seq, nh * hd)
        h = h + lin(pre + 'self_attn.o_proj.weight', attn)
        x = rms_norm(h, params[pre + 'post_attention_layernorm.weight'], eps)
        gate = lin(pre + 'mlp.gate_proj.weight', x)
        up = lin(pre + 'mlp.up_proj.weight', x)
        h = h + lin(pre + 'mlp.down_proj.weight', torch.nn.functional.silu(gate) * up)
    h = rms_norm(h, params['model.norm.weight'], eps)
    head = params['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else params['lm_head.weight']
    return h @ head.T


def masked_loss(logits, input_ids, loss_mask):
    """Mean next-token CE over targets t >= 1 with loss_mask[b][t] = 1 (t = 0 is never a target)."""
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    target_logp = logp.gather(-1, input_ids[:, 1:, None])[..., 0]
    mask = loss_mask[:, 1:].to(torch.float64)
    return -(target_logp * mask).sum() / mask.sum()


def check_gradients(cfg, used, adapter, input_ids, loss_mask, grads):
    """Central differences on a few entries of every adapter tensor: guards the reference itself."""
    step = 1e-6
    for key, value in adapter.items():
        for index in [(0, 0), (value.shape[0] - 1, value.shape[1] - 1)]:
            losses = []
            for sign in (1, -1):
                moved = dict(adapter)
                moved[key] = value.clone()
                moved[key][index] += sign * step
                with torch.no_grad():
                    losses.append(masked_loss(forward(cfg, used, moved, input_ids), input_ids, loss_mask).item())
            numeric = (losses[0] - losses[1]) / (2 * step)
            analytic = grads[key][index].item()
            assert abs(numeric - analytic) < 1e-7 + 1e-6 * abs(analytic), (key, index, numeric, analytic)


def write_variant(name, cfg, params, adapter, nf4):
    out = os.path.join(ROOT, name)
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, 'config.json'), cfg)
    stored = {k: t for k, t in params.items() if not (cfg['tie_word_embeddings'] and k == 'lm_head.weight')}
    write_safetensors(os.path.join(out, 'model.safetensors'), stored, {'format': 'pt'})
    write_json(os.path.join(out, 'adapter_config.json'), {
        'peft_type': 'LORA', 'task_type': 'CAUSAL_LM', 'base_model_name_or_path': None,
        'r': LORA_R, 'lora_alpha': LORA_ALPHA, 'lora_dropout': 0.1, 'target_modules': TARGETS,
        'bias': 'none', 'fan_in_fan_out': False, 'inference_mode': True, 'modules_to_save': None,
        'use_rslora': False, 'use_dora': False, 'init_lora_weights': True,
    })
    write_safetensors(os.path.join(out, 'adapter_model.safetensors'), adapter, {'format': 'pt'})
    write_json(os.path.join(out, 'tokens.json'), TOKENS)

    used = dict(params)
    if nf4:
        # Base linear weights only: embedding, norms and lm_head stay full precision (as
        # transformers' bitsandbytes integration keeps lm_head unquantized).
        ref = {}
        for key in base_linear_keys(cfg):
            packed, absmax, deq = nf4_quantize(params[key].to(torch.float32).numpy())
            used[key] = torch.from_numpy(deq).to(torch.float64)
            ref[key + '.codes'] = packed.astype(np.float32)  # packed bytes 0..255, stored as f32
            ref[key + '.absmax'] = absmax
            ref[key + '.dequantized'] = deq
        write_safetensors(os.path.join(out, 'nf4.safetensors'), ref, {'format': 'pt'})

    input_ids = torch.tensor(TOKENS['input_ids'])
    loss_mask = torch.tensor(TOKENS['loss_mask'])
    leaves = {k: t.clone().requires_grad_(True) for k, t in adapter.items()}
    logits = forward(cfg, used, leaves, input_ids)
    loss = masked_loss(logits, input_ids, loss_mask)
    loss.backward()
    expected = {'logits': logits, 'loss': loss.reshape(1)}
    for k, t in leaves.items():
        expected[k] = t.grad
    check_gradients(cfg, used, adapter, input_ids, loss_mask, {k: t.grad for k, t in leaves.items()})
    write_safetensors(os.path.join(out, 'expected.safetensors'), expected, {'format': 'pt'})

    with torch.no_grad():
        base_logits = forward(cfg, used, None, input_ids)
        base_loss = masked_loss(base_logits, input_ids, loss_mask)
    write_safetensors(os.path.join(out, 'expected-no-adapter.safetensors'),
                      {'logits': base_logits, 'loss': base_loss.reshape(1)}, {'format': 'pt'})
    print(f'{name}: loss {loss.item():.6f} (no adapter {base_loss.item():.6f})', file=sys.stderr)


# Full-parameter gradients at a realistic sequence length (pretraining): every base tensor's
# gradient, T = 256 (past any kernel tile size), the pretraining layout (tied, kv heads = heads).
FULL_GRAD_CONFIG = dict(CONFIG, vocab_size=48, hidden_size=32, intermediate_size=48, num_attention_heads=4,
                        num_key_value_heads=4, head_dim=8, tie_word_embeddings=True, max_position_embeddings=256)
FULL_GRAD_SHAPE = (2, 256)


def write_full_grad_variant(gen):
    cfg = FULL_GRAD_CONFIG
    out = os.path.join(ROOT, 'llama-pretrain-grad')
    os.makedirs(out, exist_ok=True)
    params = {k: t for k, t in make_params(cfg, gen).items() if k != 'lm_head.weight'}
    # Repeated random segments, so attention at long range carries the loss (as in pretraining).
    segs = torch.randint(3, cfg['vocab_size'], (FULL_GRAD_SHAPE[0], 32), generator=gen)
    input_ids = torch.cat([torch.ones(FULL_GRAD_SHAPE[0], 1, dtype=torch.long), segs.repeat(1, 8)[:, :FULL_GRAD_SHAPE[1] - 1]], 1)
    loss_mask = torch.ones_like(input_ids)
    write_json(os.path.join(out, 'config.json'), cfg)
    write_safetensors(os.path.join(out, 'model.safetensors'), params, {'format': 'pt'})
    write_json(os.path.join(out, 'tokens.json'), {'input_ids': input_ids.tolist(), 'loss_mask': loss_mask.tolist()})
    leaves = {k: t.clone().requires_grad_(True) for k, t in params.items()}
    loss = masked_loss(forward(cfg, leaves, None, input_ids), input_ids, loss_mask)
    loss.backward()
    expected = {'loss': loss.reshape(1)}
    for k, t in leaves.items():
        expected[k] = t.grad
    write_safetensors(os.path.join(out, 'expected-grads.safetensors'), expected, {'format': 'pt'})
    print(f'llama-pretrain-grad: loss {loss.item():.6f}', file=sys.stderr)


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    params = make_params(CONFIG, gen)
    adapter = make_adapter(CONFIG, params, gen)
    write_variant('llama-tiny', CONFIG, params, adapter, nf4=False)
    write_variant('llama-tiny-nf4', CONFIG, params, adapter, nf4=True)
    tied = dict(CONFIG, tie_word_embeddings=True)
    write_variant('llama-tiny-tied', tied, params, adapter, nf4=False)
    write_full_grad_variant(gen)


if __name__ == '__main__':
    main()
