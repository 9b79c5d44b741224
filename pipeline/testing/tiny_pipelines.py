"""Tiny random-weight diffusers pipelines, built in code and saved with `save_pretrained`.

For trying the `diffusers` generator where no weights can be downloaded: the tests, the
`projects/generated` example and `benchmarks/generate.py` use them. The pictures are noise; the
classes, shapes, frame rules, seeds and data flow are real. Needs the `diffusers` extra.

Nothing is downloaded: every component, the tokenizers included, is made here from a small config, with
`torch.manual_seed(0)` before each one so the weights (and so the outputs) are the same on every run. Each
`save_*` function builds one pipeline, saves it into `folder` and returns `folder`; load it back with
`diffusers.DiffusionPipeline.from_pretrained(folder)` and call it with the keyword arguments in
`CALL_ARGUMENTS[function name]`. The layouts follow the real checkpoints (same classes, same scheduler family,
same latent layout); only the widths and depths are tiny.

- `save_wan_text_to_video` -- `WanPipeline` (Wan 2.1 T2V): `WanTransformer3DModel` (2 heads x 12, 1 layer,
  16 latent channels), `AutoencoderKLWan` (base_dim 3, 8x spatial / 4x temporal, z_dim 16), UniPC flow-matching
  scheduler (flow_shift 3.0, as Wan2.1-T2V-1.3B), `UMT5EncoderModel` (d_model 32, 1 layer) with a `T5Tokenizer`
  (Unigram over a small word list). The VAE's encoder is rescaled after the seeded init so that pictures give
  latents of the configured mean/std (see `_wan_vae`); without that an input image barely reaches the output.
- `save_wan_image_to_video` -- `WanImageToVideoPipeline` in the Wan 2.2 I2V A14B layout: no image encoder, the
  first (and optional last) frame reach the model only through the VAE latents (transformer in_channels 36 =
  16 noise + 4 mask + 16 image latents), two experts (`transformer`, `transformer_2`) switched at
  `boundary_ratio` 0.9. It takes `image=` and `last_image=`. With `clip_image_encoder=True` it is the Wan 2.1
  I2V layout instead (one transformer, `image_dim` 4, a tiny `CLIPVisionModel` and a `CLIPImageProcessor`);
  that layout does not take `last_image` (the pipeline stacks two image embeddings against a batch of one and
  fails), as with the real Wan2.1-I2V checkpoints.
  Same VAE, scheduler (flow_shift 5.0) and text encoder as the T2V one.
- `save_cogvideox_text_to_video` -- `CogVideoXPipeline` (CogVideoX-2b layout): `CogVideoXTransformer3DModel`
  (4 heads x 8, 1 layer, sinusoidal positions, text length 226 = the pipeline's default max_sequence_length),
  `AutoencoderKLCogVideoX` (4 levels of 8 channels, 8x spatial / 4x temporal, 4 latent channels),
  `CogVideoXDDIMScheduler` (v-prediction, zero-SNR, trailing), `T5EncoderModel` (d_model 32, 1 layer) with a
  `T5Tokenizer`.
- `save_stable_diffusion` -- `StableDiffusionPipeline` (SD 1.5 layout): `UNet2DConditionModel` (channels 4/8,
  one cross-attention level, cross_attention_dim 32), `AutoencoderKL` (4 levels of 4 channels, 8x spatial,
  4 latent channels), `PNDMScheduler` as in SD 1.5, `CLIPTextModel` (hidden 32, 2 layers, 77 positions) with a
  byte-level BPE `CLIPTokenizer`; no safety checker or feature extractor.
- `save_ltx_image_to_video` -- `LTXImageToVideoPipeline` (LTX-Video 0.9 layout): `LTXVideoTransformer3DModel`
  (4 heads x 8, 1 layer, 8 latent channels, patch 1), `AutoencoderKLLTXVideo` (4x spatial / 4x temporal, 8
  channels, no timestep conditioning), flow-matching Euler scheduler, `T5EncoderModel` with a `T5Tokenizer`.

The tokenizers are built with the classes the pipelines expect (`T5Tokenizer`, `CLIPTokenizer`), which in
transformers 5 are `tokenizers`-library tokenizers made from an in-memory vocabulary (Unigram for T5, byte-level
BPE for CLIP) and saved as `tokenizer.json`; words outside the small vocabulary fall back to single characters.

The builders leave the caller's global torch RNG as it was. Call the pipelines inside `one_thread()`: at these
sizes one CPU thread is fastest, and two threads on a busy 2-core machine are 20-40x slower.
"""

from __future__ import annotations

import contextlib
import functools
import string
from pathlib import Path

import torch

# Words a screenplay prompt is likely to use; anything else is spelt out character by character.
_WORDS = """
a an the and or of in on at to from with by for into over under through near behind
is are was be it its this that his her their they he she we you i
man woman men women boy girl child children old young people crowd person face eyes hand hands
cat dog horse bird monkey
walks runs dances sits stands looks turns opens closes falls smiles cries laughs speaks holds
walk run dance sit stand look turn open close fall smile cry laugh speak hold
city street road house room door window kitchen car train station forest sea beach river mountain sky
rain snow sun moon light dark night day morning evening fire water
red blue green yellow black white grey gray golden
close wide shot view camera slow fast
interior exterior int ext cinematic film still photo realistic painting style
low quality blurry bad worst
""".split()


def _t5_tokenizer():
    """A T5-style Unigram tokenizer: <pad>=0, </s>=1, <unk>=2, whole words, then single characters."""
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    seen = {p for p, _ in pieces}
    for word in _WORDS:
        if "▁" + word not in seen:
            pieces.append(("▁" + word, -2.0))
            seen.add("▁" + word)
    pieces.append(("▁", -3.0))
    pieces += [(c, -5.0) for c in string.ascii_letters + string.digits + string.punctuation]
    import transformers

    if int(transformers.__version__.split(".")[0]) >= 5:
        return transformers.T5Tokenizer(vocab=pieces, extra_ids=0)
    # transformers 4: assemble the same tokenizer with the `tokenizers` library and wrap it.
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(pieces, unk_id=2))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>",
                                                       special_tokens=[("</s>", 1)])
    return transformers.T5TokenizerFast(tokenizer_object=tok, eos_token="</s>", unk_token="<unk>",
                                        pad_token="<pad>", extra_ids=0)


def _clip_tokenizer(max_length: int = 77):
    """A CLIP-style byte-level BPE tokenizer: the 256 byte symbols (plain and end-of-word), then merges that
    spell the words of `_WORDS`."""
    from tokenizers import pre_tokenizers
    import transformers

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for symbol in alphabet:
        vocab[symbol] = len(vocab)
    for symbol in alphabet:
        vocab[symbol + "</w>"] = len(vocab)
    merges: list[tuple[str, str]] = []
    for word in _WORDS:
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pair = (parts[0], parts[1])
            if pair not in merges:
                merges.append(pair)
            vocab.setdefault(pair[0] + pair[1], len(vocab))
            parts = [pair[0] + pair[1]] + parts[2:]
    if int(transformers.__version__.split(".")[0]) >= 5:
        return transformers.CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)
    # transformers 4: the same BPE through the `tokenizers` library.
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, processors

    tok = Tokenizer(models.BPE(vocab, merges, end_of_word_suffix="</w>", unk_token="<|endoftext|>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "),
                                           normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""),
                             behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.TemplateProcessing(
        single="<|startoftext|> $A <|endoftext|>", pair="<|startoftext|> $A <|endoftext|> $B <|endoftext|>",
        special_tokens=[("<|startoftext|>", 0), ("<|endoftext|>", 1)])
    return transformers.CLIPTokenizerFast(tokenizer_object=tok, bos_token="<|startoftext|>",
                                          eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                                          pad_token="<|endoftext|>", model_max_length=max_length)


def _t5_config(vocab_size: int, umt5: bool = False):
    from transformers import T5Config, UMT5Config

    config_class = UMT5Config if umt5 else T5Config
    return config_class(vocab_size=vocab_size, d_model=32, d_kv=8, d_ff=32, num_layers=1, num_heads=4,
                        relative_attention_num_buckets=8, relative_attention_max_distance=32,
                        feed_forward_proj="gated-gelu", dropout_rate=0.0, pad_token_id=0, eos_token_id=1,
                        decoder_start_token_id=0, tie_word_embeddings=False)


def _text_tokenizer_and_encoder(umt5: bool):
    from transformers import T5EncoderModel, UMT5EncoderModel

    tokenizer = _t5_tokenizer()
    torch.manual_seed(0)
    model_class = UMT5EncoderModel if umt5 else T5EncoderModel
    return tokenizer, model_class(_t5_config(len(tokenizer), umt5=umt5)).eval()


@contextlib.contextmanager
def one_thread():
    """Run torch on one CPU thread for the duration. These models are so small that two OpenMP threads gain
    nothing, and on a 2-core machine where anything else is running they lose badly (0.1 s calls become 2-4 s)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _keeps_caller_rng(build):
    """Seed inside `build` without disturbing the caller's global torch RNG."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with torch.random.fork_rng(devices=[]):
            return build(*args, **kwargs)
    return wrapper


def _save(pipe, folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder)
    return folder


# --- Wan -------------------------------------------------------------------------------------------------

def _wan_vae():
    from diffusers import AutoencoderKLWan

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    # A random encoder's latents barely vary between pictures (std ~0.03 against the latents_std ~2.5 the
    # pipeline normalises by), so an image would hardly condition image-to-video. Rescale the mean half of
    # quant_conv so that latents of random pictures have the configured latents_mean/latents_std, as a trained
    # VAE's do. Decoding does not use quant_conv, so text-to-video is unaffected.
    generator = torch.Generator().manual_seed(0)
    pictures = torch.cat([torch.rand(8, 3, 1, 32, 32, generator=generator),
                          torch.rand(8, 3, 1, 1, 1, generator=generator).expand(-1, -1, -1, 32, 32)]) * 2 - 1
    with torch.no_grad():
        latents = vae.encode(pictures).latent_dist.mode()
        mean, std = latents.mean(dim=(0, 2, 3, 4)), latents.std(dim=(0, 2, 3, 4))
        gain = torch.tensor(vae.config.latents_std) / std
        z = vae.config.z_dim
        vae.quant_conv.weight[:z] *= gain.view(-1, 1, 1, 1, 1)
        vae.quant_conv.bias[:z] = (vae.quant_conv.bias[:z] - mean) * gain + torch.tensor(vae.config.latents_mean)
    return vae


def _wan_transformer(in_channels: int, image_dim: int | None = None, seed: int = 0):
    from diffusers import WanTransformer3DModel

    torch.manual_seed(seed)
    return WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
                                 in_channels=in_channels, out_channels=16, text_dim=32, freq_dim=32, ffn_dim=32,
                                 num_layers=1, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
                                 rope_max_seq_len=32, image_dim=image_dim)


def _wan_scheduler(flow_shift: float):
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=flow_shift,
                                   num_train_timesteps=1000)


@_keeps_caller_rng
def save_wan_text_to_video(folder: Path) -> Path:
    """A tiny `WanPipeline` (Wan 2.1 text-to-video) saved into `folder`."""
    from diffusers import WanPipeline

    tokenizer, text_encoder = _text_tokenizer_and_encoder(umt5=True)
    pipe = WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(),
                       scheduler=_wan_scheduler(3.0), transformer=_wan_transformer(16))
    return _save(pipe, folder)


@_keeps_caller_rng
def save_wan_image_to_video(folder: Path, *, clip_image_encoder: bool = False) -> Path:
    """A tiny `WanImageToVideoPipeline` saved into `folder`: the Wan 2.2 I2V A14B layout (no image encoder,
    two experts; takes `image` and `last_image`), or with `clip_image_encoder=True` the Wan 2.1 I2V layout (a
    CLIP vision encoder; `image` only)."""
    from diffusers import WanImageToVideoPipeline

    tokenizer, text_encoder = _text_tokenizer_and_encoder(umt5=True)
    parts = dict(tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(), scheduler=_wan_scheduler(5.0))
    if clip_image_encoder:
        import transformers
        from transformers import CLIPVisionConfig, CLIPVisionModel

        torch.manual_seed(0)
        # The pipeline feeds the encoder's second-to-last hidden states (17 tokens of width 4 here) to the
        # transformer's image_dim-4 input.
        image_encoder = CLIPVisionModel(CLIPVisionConfig(
            hidden_size=4, num_hidden_layers=2, num_attention_heads=2, intermediate_size=16, image_size=16,
            patch_size=4)).eval()
        # Without torchvision, transformers 5 falls back to the PIL processor (and warns): name it directly.
        processor_class = getattr(transformers, "CLIPImageProcessorPil", None) or transformers.CLIPImageProcessor
        image_processor = processor_class(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16})
        pipe = WanImageToVideoPipeline(**parts, image_encoder=image_encoder, image_processor=image_processor,
                                       transformer=_wan_transformer(36, image_dim=4))
    else:
        pipe = WanImageToVideoPipeline(**parts, transformer=_wan_transformer(36),
                                       transformer_2=_wan_transformer(36, seed=1), boundary_ratio=0.9)
    return _save(pipe, folder)


# --- CogVideoX ---------------------------------------------------------------------------------------------

@_keeps_caller_rng
def save_cogvideox_text_to_video(folder: Path) -> Path:
    """A tiny `CogVideoXPipeline` (CogVideoX-2b layout) saved into `folder`."""
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXPipeline, CogVideoXTransformer3DModel

    tokenizer, text_encoder = _text_tokenizer_and_encoder(umt5=False)
    torch.manual_seed(0)
    # num_attention_heads * attention_head_dim must be divisible by 16 (3D sin-cos position embedding) and
    # text_embed_dim must be the T5 width. sample_* only fix the cached position table: other sizes work.
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4, time_embed_dim=8,
        text_embed_dim=32, num_layers=1, sample_width=4, sample_height=4, sample_frames=9, patch_size=2,
        temporal_compression_ratio=4, max_text_seq_length=226)
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
        layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4)
    scheduler = CogVideoXDDIMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
        prediction_type="v_prediction", rescale_betas_zero_snr=True, set_alpha_to_one=True, snr_shift_scale=3.0,
        steps_offset=0, timestep_spacing="trailing")
    pipe = CogVideoXPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer,
                             scheduler=scheduler)
    return _save(pipe, folder)


# --- Stable Diffusion --------------------------------------------------------------------------------------

@_keeps_caller_rng
def save_stable_diffusion(folder: Path) -> Path:
    """A tiny `StableDiffusionPipeline` (SD 1.5 layout, text-to-image) saved into `folder`."""
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=4, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=2, norm_num_groups=2)
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=(4, 4, 4, 4), in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4, latent_channels=4, norm_num_groups=2, layers_per_block=1,
        sample_size=32)
    scheduler = PNDMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                              skip_prk_steps=True, set_alpha_to_one=False, steps_offset=1)
    # As in SD 1.5's scheduler_config.json: PNDM ignores it, but a DDIM/Euler scheduler made from this config
    # reads it (and warns when it is missing).
    scheduler.register_to_config(clip_sample=False)
    tokenizer = _clip_tokenizer(77)
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
        max_position_embeddings=77, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, projection_dim=32)).eval()
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    return _save(pipe, folder)


# --- LTX-Video ---------------------------------------------------------------------------------------------

@_keeps_caller_rng
def save_ltx_image_to_video(folder: Path) -> Path:
    """A tiny `LTXImageToVideoPipeline` (LTX-Video 0.9 layout) saved into `folder`."""
    from diffusers import (AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXImageToVideoPipeline,
                           LTXVideoTransformer3DModel)

    tokenizer, text_encoder = _text_tokenizer_and_encoder(umt5=False)
    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=32)
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False)
    # LTX-Video 0.9's scheduler: resolution-dependent shift.
    scheduler = FlowMatchEulerDiscreteScheduler(
        use_dynamic_shifting=True, base_shift=0.95, max_shift=2.05, base_image_seq_len=1024,
        max_image_seq_len=4096, shift_terminal=0.1)
    pipe = LTXImageToVideoPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer,
                                   scheduler=scheduler)
    return _save(pipe, folder)


# Keyword arguments for one quick call of each saved pipeline (add prompt=..., generator=..., output_type=...,
# and image=... for the image-to-video ones, which also take last_image=... for Wan). All the tiny video VAEs
# here compress time 4x, so any 4k+1 frame count works (the real LTX and CogVideoX counts, 8k+1, included);
# sizes must be multiples of 16 for Wan and CogVideoX (8x VAE, 2x2 patches), 32 for LTX (the pipeline checks
# that, whatever the VAE), 8 for SD.
CALL_ARGUMENTS: dict[str, dict] = {
    "save_wan_text_to_video": dict(height=32, width=32, num_frames=9, num_inference_steps=2, guidance_scale=5.0),
    "save_wan_image_to_video": dict(height=32, width=32, num_frames=9, num_inference_steps=2, guidance_scale=5.0),
    "save_cogvideox_text_to_video": dict(height=32, width=32, num_frames=9, num_inference_steps=2,
                                         guidance_scale=6.0),
    "save_stable_diffusion": dict(height=32, width=32, num_inference_steps=2, guidance_scale=7.5),
    "save_ltx_image_to_video": dict(height=32, width=32, num_frames=9, num_inference_steps=2, guidance_scale=3.0),
}
