/** Data: datasets, the DataLoader, splits and image transforms (torch.utils.data + a bit of torchvision). */
export * from './dataset';
export * from './dataloader';
export * from './sampler';
export * from './split';
export * from './transforms';
export * from './byte-images';
export * from './image-sets';
export * from './augment';
