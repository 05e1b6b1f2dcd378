import { ARTICLE_MARK, indefiniteArticle, tidyPrompt } from './prompt-cleanup';

describe('tidyPrompt', () => {
  it.each<[string, string]>([
    ['a woman in , african fashion', 'a woman, african fashion'],
    ['a woman in  with gold earrings, african fashion', 'a woman with gold earrings, african fashion'],
    [' with cowries, african fashion', 'cowries, african fashion'],
    ['     , african fashion', 'african fashion'],
    ['a dress and , , african fashion ,', 'a dress, african fashion'],
    ['red and and gold', 'red and gold'],
    ['kente dress with', 'kente dress'],
    ['  lots   of    space  ', 'lots of space'],
    ['', ''],
    [', , ,', ''],
    ['with and in', ''],
    ['A Woman In , African Fashion', 'A Woman, African Fashion'],
  ])('tidies %j', (filled, tidy) => {
    expect(tidyPrompt(filled)).toBe(tidy);
  });

  it('turns the article mark into "a" or "an" for the next word, or drops it', () => {
    expect(tidyPrompt(`a woman in ${ARTICLE_MARK} long red dress`)).toBe('a woman in a long red dress');
    expect(tidyPrompt(`${ARTICLE_MARK}   ankara dress`)).toBe('an ankara dress');
    expect(tidyPrompt(`${ARTICLE_MARK} , african fashion`)).toBe('african fashion');
    expect(tidyPrompt(`a man in ${ARTICLE_MARK}`)).toBe('a man');
  });

  it('corrects literal articles and drops dangling ones', () => {
    expect(tidyPrompt('a orange kaftan')).toBe('an orange kaftan');
    expect(tidyPrompt('An dress')).toBe('A dress');
    expect(tidyPrompt('a woman wearing a , african fashion')).toBe('a woman, african fashion');
  });

  it('knows the usual exceptions to the vowel rule', () => {
    expect(indefiniteArticle('adire')).toBe('an');
    expect(indefiniteArticle('aso-oke')).toBe('an');
    expect(indefiniteArticle('unisex')).toBe('a');
    expect(indefiniteArticle('one-shoulder')).toBe('a');
    expect(indefiniteArticle('hour')).toBe('an');
    expect(indefiniteArticle('yellow')).toBe('a');
  });
});
