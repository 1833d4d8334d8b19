import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { App, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { applyServerErrors, errorText } from '../api/error-text.ts';
import { validatedValues } from './form.ts';

/**
 * The save button of a settings form: validate, send, refresh the query it was loaded from and say so; on a refusal
 * put the server's field errors on the form and show its message.
 */
export function useFormSave<T>(
  form: FormInstance<T>,
  opts: { save: (values: T) => Promise<unknown>; queryKey: QueryKey; savedText: string },
): () => Promise<void> {
  const { i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  return async () => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      await opts.save(v);
      await qc.invalidateQueries({ queryKey: opts.queryKey });
      void message.success(opts.savedText);
    } catch (err) {
      applyServerErrors(form, err, i18n.language);
      void message.error(errorText(err, i18n.language));
    }
  };
}
