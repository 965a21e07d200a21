"""Writes test/reference/*.json: values the reference implementations give for our inputs.

Not part of the build or the tests (they read only the JSON tables). To regenerate:
  - Debian packages: python3-nltk python3-pyphen python3-absl python3-numpy
  - REF_PATH: a folder holding `rouge/` (Google's rouge_score sources, google-research/rouge),
    `textstat/` (textstat sources) and `squad_evaluate_v11.py` (SQuAD v1.1's official script);
    none of them is in this repository.
  - INPUTS: a Python file defining pairs() and READABILITY (the inputs; they are copied into the tables).
  - TOKENS: a JSON object text -> tokens made by src/text/words.ts `tokenize` (BLEU's input).
  - CMUDICT_JS: node_modules/cmu-pronouncing-dictionary/index.js (textstat's CMUdict: NLTK's
    corpus download is not reachable here, so the same dictionary our code uses is given to textstat).
  Then: /usr/bin/python3 scripts/reference/make-tables.py
"""
import importlib.util, json, os, re, sys

REF = os.environ['REF_PATH']
sys.path.insert(0, REF)
spec = importlib.util.spec_from_file_location('inputs', os.environ['INPUTS'])
inputs = importlib.util.module_from_spec(spec); spec.loader.exec_module(inputs)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'reference')
os.makedirs(OUT, exist_ok=True)

def write(name, table):
  with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
    json.dump(table, f, ensure_ascii=False, indent=1)
    f.write('\n')

# --- ROUGE (rouge_score, use_stemmer=False, split_summaries=False: MLflow / HF evaluate defaults)
from rouge import rouge_scorer
scorer = rouge_scorer.RougeScorer(['rouge1', 'rouge2', 'rougeL', 'rougeLsum'], use_stemmer=False)
rows = []
for prediction, target in inputs.pairs():
  s = scorer.score(target, prediction)
  rows.append({'prediction': prediction, 'target': target,
               **{k: {'precision': v.precision, 'recall': v.recall, 'fmeasure': v.fmeasure} for k, v in s.items()}})
write('rouge-score.json', {
  'tool': 'rouge_score (google-research rouge/, setup.py version 0.0.4)',
  'options': "RougeScorer(['rouge1','rouge2','rougeL','rougeLsum'], use_stemmer=False), scorer.score(target, prediction)",
  'rows': rows})

# --- SQuAD v1.1 official evaluation script: f1_score and exact_match_score
spec = importlib.util.spec_from_file_location('squad', os.path.join(REF, 'squad_evaluate_v11.py'))
squad = importlib.util.module_from_spec(spec); spec.loader.exec_module(squad)
rows = []
for prediction, truth in inputs.pairs():
  rows.append({'prediction': prediction, 'truth': truth,
               'f1': float(squad.f1_score(prediction, truth)),
               'exact_match': 1 if squad.exact_match_score(prediction, truth) else 0,
               'normalized_prediction': squad.normalize_answer(prediction),
               'normalized_truth': squad.normalize_answer(truth)})
write('squad-v1.1.json', {'tool': 'SQuAD v1.1 evaluate-v1.1.py (official script)', 'python': sys.version.split()[0],
                          'options': 'f1_score(prediction, truth), exact_match_score(prediction, truth)', 'rows': rows})

# --- BLEU: NLTK sentence_bleu on our tokens, SmoothingFunction().method2, weights (0.25,)*4
import nltk
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
tokens = json.load(open(os.environ['TOKENS'], encoding='utf-8'))
rows = []
for candidate, reference in inputs.pairs():
  c, r = tokens[candidate], tokens[reference]
  try:
    value = float(sentence_bleu([r], c, smoothing_function=SmoothingFunction().method2))
  except Exception as error:  # NLTK fails on some empty inputs
    value = None
  rows.append({'candidate': candidate, 'reference': reference, 'candidateTokens': c, 'referenceTokens': r, 'bleu': value})
write('nltk-bleu.json', {'tool': 'nltk.translate.bleu_score.sentence_bleu', 'version': nltk.__version__,
                         'options': 'sentence_bleu([reference_tokens], candidate_tokens, weights=(0.25,0.25,0.25,0.25), smoothing_function=SmoothingFunction().method2); tokens from vitest-judge tokenize()',
                         'rows': rows})

# --- textstat: flesch_kincaid_grade and automated_readability_index (unrounded backend values)
import pyphen
cmu = {}
for line in open(os.environ['CMUDICT_JS'], encoding='utf-8'):
  m = re.match(r'\s*"(.+?)": "(.+)",?$', line)
  if not m: continue
  word = re.sub(r'\(\d+\)$', '', m.group(1))
  cmu.setdefault(word, []).append(m.group(2).split())
import textstat
from textstat.backend import counts, metrics
counts._count_syllables.get_cmudict = lambda lang: cmu
rows = []
for text in inputs.READABILITY:
  rows.append({'text': text,
               'flesch_kincaid_grade': metrics.flesch_kincaid_grade(text, 'en_US'),
               'automated_readability_index': metrics.automated_readability_index(text),
               'words': counts.count_words(text), 'sentences': counts.count_sentences(text),
               'syllables': counts.count_syllables(text, 'en_US'),
               'characters': counts.count_chars(text, ignore_spaces=True)})
# Syllables per word for agreement figures: every word of the texts, and words CMUdict lacks.
words = sorted({w for t in inputs.READABILITY for w in re.findall(r"[A-Za-z]+", t.lower())} | set(getattr(inputs, 'EXTRA_WORDS', [])))
syllables = {w: counts.count_syllables(w, 'en_US') for w in words}
write('textstat.json', {'tool': 'textstat (textstat/textstat, release 0.7.11), backend.metrics unrounded',
                        'dependencies': f'pyphen {pyphen.__version__ if hasattr(pyphen, "__version__") else "(Debian python3-pyphen 0.13.2)"} en_US; CMUdict from npm cmu-pronouncing-dictionary 3.0.0 in place of NLTK\'s cmudict corpus',
                        'options': "lang 'en_US'; flesch_kincaid_grade(text, 'en_US'), automated_readability_index(text)",
                        'rows': rows, 'syllables': syllables, 'inCmudict': {w: (w in cmu) for w in words}})
print('written to', os.path.abspath(OUT))
