#!/usr/bin/env python3
"""Export the vision encoder and the embedding of a Qwen2.5-VL checkpoint (e.g. Qwen-VL-Narrator) to ONNX
and finish the model package Narrator loads (see docs/MODEL.md).

Run it AFTER onnxruntime-genai's model builder has written the text decoder and genai_config.json into
--output. It writes

  vision.onnx     pixel_values [num_patches, 1176] + image_grid_thw [1, 3] (int64) -> image_features [num_patches/4, hidden]
  embedding.onnx  input_ids [batch, seq] (int64) + image_features [M, hidden]    -> inputs_embeds [batch, seq, hidden]

(with .data files next to them for the weights), adds the `vision` and `embedding` sections and the special
token ids to genai_config.json, copies the Hugging Face tokenizer/processor files, and with --check compares
both ONNX models against the PyTorch model on grids other than the one used for export.

The vision graph is written from the Hugging Face modules' weights but with the attention grouping expressed as
tensor reshapes instead of Python loops over grid_thw, so one graph serves every frame count and size:
  * full-attention layers attend within each temporal patch group (t), as HF's cu_seqlens do;
  * window layers attend within 4x4 merged-patch windows (window_size 112 / patch 14 / merge 2), padded to
    full windows with the padding masked out, as HF's get_window_index + cu_window_seqlens do.
Attention is order-independent inside a group, so keeping the processor's patch order (instead of HF's window
order) gives the same result. Attention never crosses a temporal group, so a caller may also run long videos
through vision.onnx a few temporal groups at a time and concatenate the outputs.
One visual input per call (image_grid_thw has one row): that is what Narrator sends.

Nothing here was run on the machine that wrote it (no torch, no weights there): see docs/MODEL.md.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

IMAGE_TOKEN_ID = 151655
VIDEO_TOKEN_ID = 151656
VISION_START_TOKEN_ID = 151652
HF_SIDE_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "merges.txt",
    "preprocessor_config.json",
    "chat_template.json",
    "generation_config.json",
)


# ----------------------------------------------------------------------------------------------------------------------
# Locating the pieces in the Hugging Face model (their attribute paths moved between transformers releases).

def vision_tower(model: nn.Module) -> nn.Module:
    """`model.visual` before transformers 4.52, `model.model.visual` after."""
    inner = getattr(model, "model", None)
    if inner is not None and hasattr(inner, "visual"):
        return inner.visual
    if hasattr(model, "visual"):
        return model.visual
    raise SystemExit("error: this checkpoint has no Qwen2.5-VL vision tower (model.visual / model.model.visual).")


def vision_setting(visual: nn.Module, name: str):
    if hasattr(visual, name):
        return getattr(visual, name)
    return getattr(visual.config, name)


# ----------------------------------------------------------------------------------------------------------------------
# Vision encoder.

class VisionForExport(nn.Module):
    """The Qwen2.5-VL vision tower, written so that every shape follows image_grid_thw at run time."""

    def __init__(self, visual: nn.Module):
        super().__init__()
        self.blocks = visual.blocks
        self.merger = visual.merger
        proj = visual.patch_embed.proj  # Conv3d with stride == kernel: one matrix product per patch
        self.embed_dim = proj.weight.shape[0]
        self.patch_weight = nn.Parameter(proj.weight.detach().reshape(self.embed_dim, -1).clone(), requires_grad=False)
        self.register_buffer("inv_freq", visual.rotary_pos_emb.inv_freq.detach().clone(), persistent=False)

        self.merge = int(vision_setting(visual, "spatial_merge_size"))
        patch = int(vision_setting(visual, "patch_size"))
        self.window = int(vision_setting(visual, "window_size")) // self.merge // patch
        self.full_attention_blocks = set(int(i) for i in vision_setting(visual, "fullatt_block_indexes"))
        first = visual.blocks[0].attn
        self.num_heads = int(first.num_heads)
        self.head_dim = self.embed_dim // self.num_heads
        self.scale = self.head_dim ** -0.5

    def forward(self, pixel_values: torch.Tensor, image_grid_thw: torch.Tensor) -> torch.Tensor:
        t = image_grid_thw[0, 0].item()
        h = image_grid_thw[0, 1].item()
        w = image_grid_thw[0, 2].item()
        torch._check_is_size(t)
        torch._check_is_size(h)
        torch._check_is_size(w)
        torch._check(t >= 1)
        torch._check(h >= self.merge)
        torch._check(w >= self.merge)
        torch._check(h % self.merge == 0)
        torch._check(w % self.merge == 0)
        torch._check(pixel_values.shape[0] == t * h * w)
        hm, wm = h // self.merge, w // self.merge

        x = pixel_values.to(self.patch_weight.dtype) @ self.patch_weight.t()  # [N, C]
        cos, sin = self.rotary(t, hm, wm)

        for index, block in enumerate(self.blocks):
            if index in self.full_attention_blocks:
                attend = lambda q, k, v: self.attend_per_frame_group(q, k, v, t, hm, wm)
            else:
                attend = lambda q, k, v: self.attend_per_window(q, k, v, t, hm, wm)
            x = x + self.attention(block.attn, block.norm1(x), cos, sin, attend)
            x = x + block.mlp(block.norm2(x))

        # Patches of one merged token are consecutive in the processor's order, as the merger expects.
        return self.merger(x)

    def rotary(self, t, hm, wm):
        """2-D rotary angles per patch in the processor's order (merged row, merged col, row in unit, col in unit)."""
        m = self.merge
        block_rows = torch.arange(hm, device=self.inv_freq.device)
        block_cols = torch.arange(wm, device=self.inv_freq.device)
        inner = torch.arange(m, device=self.inv_freq.device)
        rows = (block_rows[:, None, None, None] * m + inner[None, None, :, None]).expand(hm, wm, m, m).reshape(-1)
        cols = (block_cols[None, :, None, None] * m + inner[None, None, None, :]).expand(hm, wm, m, m).reshape(-1)
        angles = torch.cat([rows[:, None].float() * self.inv_freq[None, :], cols[:, None].float() * self.inv_freq[None, :]], dim=-1)
        angles = angles.repeat(t, 1)
        angles = torch.cat([angles, angles], dim=-1)  # [N, head_dim]
        return angles.cos()[:, None, :], angles.sin()[:, None, :]

    def attention(self, attn: nn.Module, x: torch.Tensor, cos, sin, attend) -> torch.Tensor:
        n = x.shape[0]
        q, k, v = attn.qkv(x).reshape(n, 3, self.num_heads, self.head_dim).unbind(1)  # each [N, heads, d]
        q = rotate(q, cos, sin)
        k = rotate(k, cos, sin)
        out = attend(q, k, v)  # [N, heads, d]
        return attn.proj(out.reshape(n, self.embed_dim))

    def attend_per_frame_group(self, q, k, v, t, hm, wm):
        n, per_group = q.shape[0], hm * wm * self.merge * self.merge
        def grouped(z):  # [t, heads, h*w, d]
            return z.reshape(t, per_group, self.num_heads, self.head_dim).transpose(1, 2)
        out = scaled_attention(grouped(q), grouped(k), grouped(v), self.scale, None)
        return out.transpose(1, 2).reshape(n, self.num_heads, self.head_dim)

    def attend_per_window(self, q, k, v, t, hm, wm):
        ws, unit = self.window, self.merge * self.merge
        pad_h = (ws - hm % ws) % ws
        pad_w = (ws - wm % ws) % ws
        hp, wp = hm + pad_h, wm + pad_w
        nh, nw = hp // ws, wp // ws

        def windows(z):  # [N, heads, d] -> [t*nh*nw, heads, ws*ws*unit, d]
            z = z.reshape(t, hm, wm, unit * self.num_heads * self.head_dim)
            z = F.pad(z, (0, 0, 0, pad_w, 0, pad_h))
            z = z.reshape(t, nh, ws, nw, ws, unit, self.num_heads, self.head_dim)
            z = z.permute(0, 1, 3, 6, 2, 4, 5, 7)
            return z.reshape(t * nh * nw, self.num_heads, ws * ws * unit, self.head_dim)

        valid_rows = torch.arange(hp, device=q.device) < hm
        valid_cols = torch.arange(wp, device=q.device) < wm
        valid = (valid_rows[:, None] & valid_cols[None, :])  # [hp, wp]
        valid = valid.reshape(nh, ws, nw, ws).permute(0, 2, 1, 3).reshape(nh * nw, ws * ws, 1)
        valid = valid.expand(nh * nw, ws * ws, unit).reshape(1, nh * nw, ws * ws * unit)
        valid = valid.expand(t, nh * nw, ws * ws * unit).reshape(t * nh * nw, 1, 1, ws * ws * unit)

        out = scaled_attention(windows(q), windows(k), windows(v), self.scale, valid)
        out = out.reshape(t, nh, nw, self.num_heads, ws, ws, unit, self.head_dim)
        out = out.permute(0, 1, 4, 2, 5, 6, 3, 7).reshape(t, hp, wp, unit, self.num_heads, self.head_dim)
        out = out[:, :hm, :wm]
        return out.reshape(t * hm * wm * unit, self.num_heads, self.head_dim)


def rotate(z: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """HF's apply_rotary_pos_emb_vision: rotate in float32, return in the input dtype."""
    zf = z.float()
    half = zf.shape[-1] // 2
    rotated = torch.cat([-zf[..., half:], zf[..., :half]], dim=-1)
    return (zf * cos + rotated * sin).to(z.dtype)


def scaled_attention(q, k, v, scale, key_valid):
    """Softmax attention in float32; key_valid (broadcastable bool) masks padded keys."""
    scores = (q.float() @ k.float().transpose(-1, -2)) * scale
    if key_valid is not None:
        scores = scores.masked_fill(~key_valid, torch.finfo(torch.float32).min)
    return (scores.softmax(dim=-1) @ v.float()).to(q.dtype)


# ----------------------------------------------------------------------------------------------------------------------
# Embedding.

class EmbeddingForExport(nn.Module):
    """Token embedding with image features written, in order, over the rows that hold the image token id."""

    def __init__(self, embed_tokens: nn.Embedding, image_token_id: int):
        super().__init__()
        self.embed_tokens = embed_tokens
        self.image_token_id = image_token_id

    def forward(self, input_ids: torch.Tensor, image_features: torch.Tensor) -> torch.Tensor:
        embeds = self.embed_tokens(input_ids)  # [B, S, H]
        hidden = embeds.shape[-1]
        is_image = (input_ids == self.image_token_id).reshape(-1)
        # k-th image token takes feature row k (HF's masked_scatter); a zero row keeps the gather valid when M == 0.
        features = torch.cat([image_features.to(embeds.dtype), embeds.new_zeros(1, hidden)], dim=0)
        rows = (is_image.long().cumsum(0) - 1).clamp(min=0)
        merged = torch.where(is_image[:, None], features[rows], embeds.reshape(-1, hidden))
        return merged.reshape(embeds.shape)


# ----------------------------------------------------------------------------------------------------------------------
# Export, config, check.

def export(module: nn.Module, args: tuple, names_in: list, names_out: list, dynamic_shapes: dict, path: Path, opset: int):
    print(f"exporting {path.name} ...", flush=True)
    program = torch.onnx.export(
        module, args, input_names=names_in, output_names=names_out,
        dynamic_shapes=dynamic_shapes, opset_version=opset, dynamo=True)
    program.save(str(path), external_data=True)


def sample_pixels(grid: tuple[int, int, int], dtype, device) -> tuple[torch.Tensor, torch.Tensor]:
    t, h, w = grid
    generator = torch.Generator().manual_seed(t * 10_000 + h * 100 + w)
    pixels = torch.randn(t * h * w, 1176, generator=generator).clamp(-1.8, 2.2)  # the range normalised pixels span
    return pixels.to(device=device, dtype=dtype), torch.tensor([grid], dtype=torch.int64, device=device)


def reference_features(model, visual, pixels, grid):
    """What transformers itself produces for one visual input (its API returned a tensor, a tuple or a list over releases)."""
    with torch.no_grad():
        out = None
        if hasattr(model, "get_image_features"):
            out = model.get_image_features(pixel_values=pixels, image_grid_thw=grid)
        if out is None:
            out = visual(pixels, grid_thw=grid)
        if hasattr(out, "pooler_output") and out.pooler_output is not None:
            out = out.pooler_output
        if isinstance(out, (list, tuple)):
            out = torch.cat(list(out), dim=0)
        return out


def update_genai_config(output: Path, hidden: int, merge: int, patch: int, tokens_per_second: float, image_token_id: int):
    path = output / "genai_config.json"
    if not path.exists():
        raise SystemExit(f"error: {path} not found: run onnxruntime-genai's model builder into {output} first (docs/MODEL.md).")
    config = json.loads(path.read_text(encoding="utf-8"))
    model = config.setdefault("model", {})
    model["type"] = "qwen2_5_vl"
    model["image_token_id"] = image_token_id
    model["video_token_id"] = VIDEO_TOKEN_ID
    model["vision_start_token_id"] = VISION_START_TOKEN_ID
    eos = model.get("eos_token_id", [151645, 151643])
    model["eos_token_id"] = sorted(set((eos if isinstance(eos, list) else [eos]) + [151645, 151643]), reverse=True)
    model["embedding"] = {
        "filename": "embedding.onnx",
        "inputs": {"input_ids": "input_ids", "image_features": "image_features"},
        "outputs": {"inputs_embeds": "inputs_embeds"},
    }
    model["vision"] = {
        "filename": "vision.onnx",
        "spatial_merge_size": merge,
        "patch_size": patch,
        "tokens_per_second": tokens_per_second,
        "inputs": {"pixel_values": "pixel_values", "image_grid_thw": "image_grid_thw"},
        "outputs": {"image_features": "image_features"},
    }
    decoder = model.get("decoder", {})
    if decoder.get("hidden_size") not in (None, hidden):
        raise SystemExit(f"error: decoder hidden_size {decoder.get('hidden_size')} differs from the vision output {hidden}: "
                         "the decoder and this checkpoint do not belong together.")
    if "inputs_embeds" not in json.dumps(decoder.get("inputs", {})):
        print("warning: the decoder in genai_config.json does not take inputs_embeds; "
              "rebuild it with --extra_options exclude_embeds=true.", file=sys.stderr)
    path.write_text(json.dumps(config, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"updated {path}")


def check(model, visual, output: Path, dtype, device, grids, tolerance: float, image_token_id: int) -> bool:
    import numpy as np
    import onnxruntime as ort

    providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.type == "cuda" else ["CPUExecutionProvider"]
    vision = ort.InferenceSession(str(output / "vision.onnx"), providers=providers)
    embedding = ort.InferenceSession(str(output / "embedding.onnx"), providers=providers)
    ok = True
    for grid in grids:
        pixels, grid_thw = sample_pixels(grid, dtype, device)
        expected = reference_features(model, visual, pixels, grid_thw).float().cpu().numpy()
        actual = vision.run(None, {"pixel_values": pixels.cpu().numpy(), "image_grid_thw": grid_thw.cpu().numpy()})[0].astype("float32")
        diff = float(np.abs(actual - expected).max()) if actual.shape == expected.shape else float("inf")
        print(f"vision    grid {grid}: shape {actual.shape} vs {expected.shape}, max |diff| {diff:.4g}")
        ok &= diff <= tolerance

        tokens = expected.shape[0]
        ids = torch.tensor([[151644, 872, VISION_START_TOKEN_ID] + [image_token_id] * tokens + [151653, 9707, 151645]])
        with torch.no_grad():
            reference = model.get_input_embeddings()(ids.to(device)).clone()
            reference[0, 3:3 + tokens] = torch.from_numpy(expected).to(device=device, dtype=reference.dtype)
        merged = embedding.run(None, {"input_ids": ids.numpy(), "image_features": expected.astype(
            np.float16 if dtype == torch.float16 else np.float32)})[0].astype("float32")
        diff = float(np.abs(merged - reference.float().cpu().numpy()).max())
        print(f"embedding grid {grid}: max |diff| {diff:.4g}")
        ok &= diff <= tolerance
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="Hugging Face id or local folder of the Qwen2.5-VL checkpoint")
    parser.add_argument("--output", required=True, type=Path, help="the package folder the model builder wrote into")
    parser.add_argument("--dtype", choices=["fp32", "fp16"], default="fp16", help="fp16 for CUDA, fp32 for CPU")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--opset", type=int, default=18)
    parser.add_argument("--check", action="store_true", help="compare the ONNX models with PyTorch on fresh grids")
    args = parser.parse_args()

    from transformers import AutoConfig, Qwen2_5_VLForConditionalGeneration

    dtype = torch.float16 if args.dtype == "fp16" else torch.float32
    device = torch.device(args.device)
    if dtype == torch.float16 and device.type == "cpu":
        print("warning: fp16 on the CPU is slow to export and to run; prefer --dtype fp32 for a CPU package.", file=sys.stderr)
    args.output.mkdir(parents=True, exist_ok=True)

    config = AutoConfig.from_pretrained(args.model)
    if getattr(config, "model_type", "") != "qwen2_5_vl":
        raise SystemExit(f"error: {args.model} is a '{getattr(config, 'model_type', '?')}' model, not qwen2_5_vl.")
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(args.model, torch_dtype=dtype, attn_implementation="eager")
    model.to(device).eval()
    visual = vision_tower(model)
    image_token_id = int(getattr(config, "image_token_id", IMAGE_TOKEN_ID))
    merge = int(vision_setting(visual, "spatial_merge_size"))
    patch = int(vision_setting(visual, "patch_size"))
    hidden = int(model.get_input_embeddings().weight.shape[1])
    vision_config = getattr(config, "vision_config", None)
    tokens_per_second = float(getattr(vision_config, "tokens_per_second", 2))

    with torch.no_grad():
        vision = VisionForExport(visual).to(device).eval()
        pixels, grid = sample_pixels((2, 16, 22), dtype, device)  # a two-group clip with a partial window
        patches = torch.export.Dim("num_patches", min=4, max=1 << 22)
        export(vision, (pixels, grid), ["pixel_values", "image_grid_thw"], ["image_features"],
               {"pixel_values": {0: patches}, "image_grid_thw": None}, args.output / "vision.onnx", args.opset)

        embedding = EmbeddingForExport(model.get_input_embeddings(), image_token_id).to(device).eval()
        ids = torch.tensor([[151644, 872, VISION_START_TOKEN_ID] + [image_token_id] * 88 + [151653, 9707, 151645]] * 2, device=device)
        features = torch.randn(176, hidden, dtype=dtype, device=device)
        batch, sequence, rows = torch.export.Dim("batch", max=64), torch.export.Dim("sequence", max=1 << 20), torch.export.Dim("num_image_tokens", max=1 << 20)
        export(embedding, (ids, features), ["input_ids", "image_features"], ["inputs_embeds"],
               {"input_ids": {0: batch, 1: sequence}, "image_features": {0: rows}}, args.output / "embedding.onnx", args.opset)

    update_genai_config(args.output, hidden, merge, patch, tokens_per_second, image_token_id)

    source = Path(args.model)
    if not source.is_dir():
        from huggingface_hub import snapshot_download
        source = Path(snapshot_download(args.model, allow_patterns=list(HF_SIDE_FILES)))
    for name in HF_SIDE_FILES:
        if (source / name).exists() and not (args.output / name).exists():
            shutil.copy2(source / name, args.output / name)
            print(f"copied {name}")

    if args.check:
        tolerance = 5e-2 if dtype == torch.float16 else 2e-3
        # An image (one temporal group), a video with edge windows in both directions, and the export grid.
        if not check(model, visual, args.output, dtype, device, [(1, 12, 20), (3, 18, 30), (2, 16, 22)], tolerance, image_token_id):
            print(f"check FAILED: the ONNX models differ from PyTorch by more than {tolerance}.", file=sys.stderr)
            return 1
        print("check passed.")
    print(f"done: now run `narrator describe --model {args.output}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
