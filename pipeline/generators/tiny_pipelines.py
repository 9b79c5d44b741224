"""Tiny random-weight diffusers pipelines, built in code and saved with `save_pretrained`.

For trying the `diffusers` generator where no weights can be downloaded (the examples, the
tests, `benchmarks/generate.py`): each function builds one pipeline family the way diffusers'
own tests build `get_dummy_components()` (a transformer or UNet of a layer or two, a VAE of a
few channels, a scheduler, a text encoder from a small config), with a word-level tokenizer
made with the `tokenizers` library instead of one fetched from the hub, and saves it into
`folder`, ready for `DiffusionPipeline.from_pretrained(folder)`. Weights are seeded, so a folder
is the same every time. The pictures are noise; the shapes, frame rules, seeds and data flow
are real. Needs the `diffusers` extra.
"""

from __future__ import annotations

from pathlib import Path

WORDS = "a the of and sea harbour boat boats mist tide waves light lighthouse woman man rope quay night dawn".split()


def _tokenizer(special: dict[str, int], **names: str):
    """A word-level fast tokenizer over a small vocabulary, made in code."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocabulary = dict(special)
    for word in WORDS:
        vocabulary.setdefault(word, len(vocabulary))
    tokenizer = Tokenizer(models.WordLevel(vocabulary, unk_token=names["unk_token"]))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **names)


def _t5(kind: str):
    """A one-layer T5-family text encoder (UMT5 for Wan, T5 for CogVideoX) and its tokenizer."""
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    config, model = (UMT5Config, UMT5EncoderModel) if kind == "umt5" else (T5Config, T5EncoderModel)
    torch.manual_seed(0)
    encoder = model(config(vocab_size=64, d_model=32, d_kv=8, d_ff=32, num_layers=1, num_heads=2,
                           relative_attention_num_buckets=8))
    return encoder, _tokenizer({"<pad>": 0, "</s>": 1, "<unk>": 2}, pad_token="<pad>", eos_token="</s>",
                               unk_token="<unk>")


def _wan_parts(in_channels: int, image_dim: int | None = None):
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanTransformer3DModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=in_channels,
        out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, image_dim=image_dim)
    encoder, tokenizer = _t5("umt5")
    return dict(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
                text_encoder=encoder, tokenizer=tokenizer)


def save_wan_text_to_video(folder: Path) -> Path:
    """Wan 2.1 text-to-video (`WanPipeline`); 9 frames at 32x32 take about 0.1 s on a CPU."""
    from diffusers import WanPipeline

    WanPipeline(**_wan_parts(16)).save_pretrained(folder)
    return Path(folder)


def save_wan_image_to_video(folder: Path) -> Path:
    """Wan 2.1 image-to-video (`WanImageToVideoPipeline`), with a tiny CLIP image encoder."""
    import torch
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    image_encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=32,
        intermediate_size=16, patch_size=1))
    WanImageToVideoPipeline(**_wan_parts(36, image_dim=4), image_encoder=image_encoder,
                            image_processor=CLIPImageProcessor(crop_size=32, size=32)).save_pretrained(folder)
    return Path(folder)


def save_cogvideox_text_to_video(folder: Path) -> Path:
    """CogVideoX text-to-video (`CogVideoXPipeline`): 8k+1 frames at 8 fps."""
    import torch
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXPipeline, CogVideoXTransformer3DModel

    torch.manual_seed(0)
    # The text length is the pipeline's default (226 tokens): the positional table covers it.
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4, time_embed_dim=2,
        text_embed_dim=32, num_layers=1, sample_width=2, sample_height=2, sample_frames=9, patch_size=2,
        temporal_compression_ratio=4, max_text_seq_length=226)
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
        layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4)
    encoder, tokenizer = _t5("t5")
    CogVideoXPipeline(tokenizer=tokenizer, text_encoder=encoder, vae=vae, transformer=transformer,
                      scheduler=CogVideoXDDIMScheduler()).save_pretrained(folder)
    return Path(folder)


def save_stable_diffusion(folder: Path) -> Path:
    """Stable Diffusion text-to-image (`StableDiffusionPipeline`), with a tiny CLIP text encoder."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=2)
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=[4, 8], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, norm_num_groups=2)
    torch.manual_seed(0)
    encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=32, intermediate_size=37, num_attention_heads=4,
        num_hidden_layers=2, vocab_size=64, max_position_embeddings=77))
    tokenizer = _tokenizer({"<|startoftext|>": 0, "<pad>": 1, "<|endoftext|>": 2, "<unk>": 3},
                           bos_token="<|startoftext|>", eos_token="<|endoftext|>", pad_token="<pad>",
                           unk_token="<unk>", model_max_length=77)
    StableDiffusionPipeline(unet=unet, vae=vae, scheduler=DDIMScheduler(), text_encoder=encoder, tokenizer=tokenizer,
                            safety_checker=None, feature_extractor=None,
                            requires_safety_checker=False).save_pretrained(folder)
    return Path(folder)


BUILDERS = {
    "wan": save_wan_text_to_video, "wan-i2v": save_wan_image_to_video,
    "cogvideox": save_cogvideox_text_to_video, "sd": save_stable_diffusion,
}
