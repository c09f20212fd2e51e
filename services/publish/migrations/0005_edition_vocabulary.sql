-- An edition keeps its call's vocabularies, so the site names a theme or a region as the call
-- did, in the call's languages: {"theme": {"ecommerce": {"en": "E-commerce", …}, …},
-- "region": {…}} (collection::call_vocabulary). Empty: ids are shown as they are.
ALTER TABLE publish.editions
  ADD COLUMN vocabulary jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(vocabulary) = 'object');
