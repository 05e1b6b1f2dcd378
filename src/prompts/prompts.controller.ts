import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BuiltPrompt, FashionVocabulary } from '../prompt-language/index';
import { PromptsService, type ParsedPromptView, type TokenizedPromptView } from './prompts.service';

@ApiTags('prompts')
@Controller('v1/prompts')
export class PromptsController {
  constructor(@Inject(PromptsService) private readonly prompts: PromptsService) {}

  @Get('vocabulary')
  vocabulary(): { vocabulary: FashionVocabulary } {
    return this.prompts.vocabulary();
  }

  @Post('build')
  @HttpCode(200)
  build(@Body() body: unknown): BuiltPrompt {
    return this.prompts.build(body);
  }

  @Post('parse')
  @HttpCode(200)
  parse(@Body() body: unknown): ParsedPromptView {
    return this.prompts.parse(body);
  }

  @Post('tokenize')
  @HttpCode(200)
  tokenize(@Body() body: unknown): TokenizedPromptView {
    return this.prompts.tokenize(body);
  }
}
