import type { FormInstance } from 'antd';

/**
 * The form's values when they pass validation, else null. antd shows the field errors itself; its rejection must not
 * escape as an unhandled promise rejection from a click handler.
 */
export async function validatedValues<T>(form: FormInstance<T>): Promise<T | null> {
  try {
    return await form.validateFields();
  } catch {
    return null;
  }
}
