-- An edition keeps the prose sections of its call's form, with their headings in the form's
-- languages ([{"field": …, "heading": {"en": …}}, …], collection::form_sections), so a call
-- whose form asks for other texts publishes those. Empty: the Global Solicitation's own.
ALTER TABLE publish.editions
  ADD COLUMN sections jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sections) = 'array');
